"""A credential dated 0001-01-01 or expiring 9999-12-31 is refused on that date (issue 12),
and so is one issued in the future; the program admin's other input stays."""

from datetime import date, timedelta

import pytest

from trellis.credentials.models import Credential

pytestmark = pytest.mark.django_db


def add(client, world, **dates):
    data = {"staff": world.assistant.staff.pk, "kind": "cpr_first_aid", "number": "CPR-0042"}
    client.force_login(world.program_admin)
    return client.post("/credentials/new/", data | dates)


def test_a_credential_issued_in_year_1_is_refused_on_its_issue_date(client, world):
    response = add(client, world, issued_on="0001-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "issued_on": ["Date of issue must be on or after 1 January 1900."]
    }
    assert "CPR-0042" in response.content.decode()
    assert not Credential.objects.exists()


def test_a_credential_expiring_in_9999_is_refused_on_its_expiry(client, world):
    response = add(client, world, issued_on=date.today().isoformat(), expires_on="9999-12-31")
    (message,) = response.context["form"].errors["expires_on"]
    assert message.startswith("Expiry date must be within 10 years from today")
    assert not Credential.objects.exists()


def test_a_credential_cannot_be_issued_in_the_future(client, world):
    next_month = date.today() + timedelta(days=30)
    response = add(client, world, issued_on=next_month.isoformat())
    assert response.context["form"].errors == {
        "issued_on": ["Date of issue cannot be in the future."]
    }
