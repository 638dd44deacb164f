from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from trellis.accounts import devices
from trellis.accounts.models import Device
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


@login_required
def devices_page(request):
    """The person's signed-in devices; end one, or every one but this."""
    if request.method == "POST":
        if request.POST.get("everywhere_else"):
            ended = devices.end_all(
                request.user, reason="signed out everywhere else", keep=request.session.session_key
            )
            messages.success(request, f"Signed out on {ended} other device(s).")
        else:
            wanted = request.POST.get("device", "")
            device = (
                wanted.isdigit() and Device.objects.filter(user=request.user, pk=wanted).first()
            )
            if not device or device.session_key == request.session.session_key:
                messages.error(request, "Choose another device to sign out (use Sign out here).")
            else:
                devices.end(device, reason="signed out from another device")
                messages.success(request, f"Signed out: {device.browser}.")
        return redirect("devices")
    return render(
        request,
        "accounts/devices.html",
        {"devices": devices.devices_of(request.user), "current": request.session.session_key},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email address; the answer is the same whether an account has it or not.
    The link (Django's token: single use, PASSWORD_RESET_TIMEOUT) goes only to active users."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        known = any(True for _ in form.get_users(email))
        record("auth.password_reset_request", detail={"email": email, "known": known})
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink:
            record("auth.password_reset", result="denied", detail={"reason": "invalid link"})
        return response

    def form_valid(self, form):
        record("auth.password_reset", user=form.user)
        response = super().form_valid(form)
        devices.end_all(form.user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session and invalidates the others at their next request; ending them
    now also takes them off the devices list."""

    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # gives this session a new key
        devices.rekeyed(old_key, self.request.session.session_key)
        devices.end_all(
            self.request.user, reason="password changed", keep=self.request.session.session_key
        )
        messages.success(self.request, "Your password is changed; other devices are signed out.")
        return response
