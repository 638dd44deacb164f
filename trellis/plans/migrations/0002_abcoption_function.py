"""The function of behavior an ABC option suggests, set by supervisors (the FBA reads it).

Existing antecedent and consequence options whose code names a well-known function (the
engine's former built-in list, whatever the spelling: `demand-placed` or `demand_placed`) start
with that function; supervisors review and change it on the pick-list page."""

from django.db import migrations, models

KNOWN = {
    "antecedent": {
        "attention diverted": "attention",
        "attention removed": "attention",
        "adult busy": "attention",
        "low attention": "attention",
        "peer attention diverted": "attention",
        "demand placed": "escape",
        "demand": "escape",
        "task presented": "escape",
        "instruction given": "escape",
        "transition": "escape",
        "correction given": "escape",
        "item removed": "tangible",
        "item denied": "tangible",
        "denied access": "tangible",
        "told no": "tangible",
        "activity ended": "tangible",
        "waiting": "tangible",
        "alone": "automatic",
        "no interaction": "automatic",
        "unstructured time": "automatic",
        "low stimulation": "automatic",
    },
    "consequence": {
        "attention given": "attention",
        "reprimand": "attention",
        "verbal reprimand": "attention",
        "redirection": "attention",
        "redirected": "attention",
        "comfort": "attention",
        "peer attention": "attention",
        "demand removed": "escape",
        "task removed": "escape",
        "break given": "escape",
        "demand delayed": "escape",
        "sent out": "escape",
        "item given": "tangible",
        "activity given": "tangible",
        "access given": "tangible",
        "ignored": "automatic",
        "planned ignoring": "automatic",
        "no consequence": "automatic",
        "no response": "automatic",
    },
}


def _key(text):
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()


def backfill(apps, schema_editor):
    AbcOption = apps.get_model("plans", "AbcOption")
    for option in AbcOption.objects.filter(kind__in=list(KNOWN), function=""):
        function = KNOWN[option.kind].get(_key(option.code))
        if function:
            option.function = function
            option.save(update_fields=["function"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="abcoption",
            name="function",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "None"),
                    ("attention", "Attention"),
                    ("escape", "Escape"),
                    ("tangible", "Tangible"),
                    ("automatic", "Automatic"),
                ],
                default="",
                help_text=(
                    "For antecedents and consequences: the function of behavior it suggests "
                    "(used by the functional assessment)."
                ),
                max_length=20,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
