import django.db.models
from django.db import migrations

import trellis.validators


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_staffmember_may_break_glass_emergencyaccess"),
    ]

    operations = [
        migrations.AlterField(
            model_name="learner",
            name="birth_date",
            field=django.db.models.DateField(
                validators=[trellis.validators.DateRange("Birth date", future=False)]
            ),
        ),
    ]
