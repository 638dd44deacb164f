"""Electronic signatures: a person signs a record (a session note, an incident report, a
witness's MAR entry) by typing their name and entering their password again, so a signature on
a shared tablet is proof of who signed, not of who left the device signed in."""

from django import forms
from django.core.exceptions import ValidationError

from trellis.audit.log import record


class SignatureForm(forms.Form):
    typed_name = forms.CharField(label="Type your full name")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password")


def name_matches(user, typed_name):
    typed = " ".join((typed_name or "").split()).casefold()
    full = " ".join(user.get_full_name().split()).casefold()
    return bool(typed) and typed in {full, user.get_username().casefold()} - {""}


def check_signature(user, obj, typed_name, password, action):
    """Refuse (and audit as `action`, denied) a signature whose name or password is wrong."""
    errors = {}
    if not name_matches(user, typed_name):
        errors["typed_name"] = "Type your name as it appears on your account."
    if not password or not user.check_password(password):
        errors["password"] = "The password is not right."
    if errors:
        record(action, obj=obj, result="denied", detail={"why": sorted(errors)})
        raise ValidationError(errors)
