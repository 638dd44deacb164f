from django import forms
from django.contrib.auth.models import User

from trellis.people.models import CaseAssignment, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.user.get_username()})"


class StaffMultipleChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return str(obj)


class InviteStaffForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="The invitation to set a password goes here.")
    username = forms.CharField(
        max_length=150,
        required=False,
        help_text="Leave empty to use the part of the email before the @.",
    )
    title = forms.CharField(max_length=120, required=False, help_text="e.g. Behavior technician")
    organization = forms.ModelChoiceField(queryset=None, label="School / program")
    role = forms.ChoiceField(choices=Role.choices)
    supervisors = StaffMultipleChoice(queryset=None, required=False)

    def __init__(self, *args, organizations, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["supervisors"].queryset = staff.select_related("user")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone has a login with this email already.")
        return email

    def clean(self):
        data = super().clean()
        if data.get("email") and not data.get("username"):
            data["username"] = data["email"].split("@")[0]
        username = data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            self.add_error("username", f"The username “{username}” is taken: choose another.")
        return data


class RoleForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label="School / program")
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class SupervisorsForm(forms.Form):
    supervisors = StaffMultipleChoice(queryset=None, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = staff.select_related("user")


class DeactivateForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="e.g. Left the district on Dec 1.")


class AssignCaseForm(forms.Form):
    learner = forms.ModelChoiceField(queryset=None)
    role = forms.ChoiceField(choices=CaseAssignment.CaseRole.choices, label="Role on the case")
    starts_on = forms.DateField(widget=DATE, required=False, help_text="Today when empty.")
    ends_on = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args, learners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = learners
