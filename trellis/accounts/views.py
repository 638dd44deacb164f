from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.audit.log import record
from trellis.people import staffing
from trellis.people.access import staff_of


@login_required
def profile(request):
    staff = staff_of(request.user)
    memberships = staff.memberships.select_related("organization") if staff else []
    return render(request, "accounts/profile.html", {"staff": staff, "memberships": memberships})


def accept_invitation(request, token):
    """An invited person sets their own password through the single-use link."""
    user = staffing.invited_user(token)
    if user is None:
        record("staff.invitation_accepted", result="denied")
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        staffing.accept_invitation(user, form.cleaned_data["new_password1"])
        messages.success(request, "Your password is set. Sign in with your username and it.")
        return redirect(f"{reverse('login')}?username={user.get_username()}")
    return render(request, "accounts/invitation.html", {"form": form, "invited": user})
