"""Two-factor pages: the code asked after the password, enrolment of an authenticator app,
and one's own second-factor settings (each change asks for a recent code)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from trellis.accounts import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class AppCodeForm(CodeForm):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="The 6 digits the app shows for Trellis.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("home")
    return target


def _wrong_code(user, words, device=None):
    wait = two_factor.wait_seconds(user, device)
    if wait:
        return f"{words} Wait {wait} second{'s' if wait != 1 else ''}, then type the newest code."
    return f"{words} Type the newest code the app shows."


@login_required
def verify(request):
    """The second step of signing in, and the re-check before a sensitive action."""
    if not two_factor.has_device(request.user):
        return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.check(request, form.cleaned_data["code"])
        if device is not None:
            left = two_factor.recovery_codes_left(request.user)
            if device.name == two_factor.CODES_NAME and left <= 3:
                messages.warning(
                    request,
                    f"{left} recovery codes left: make new ones in your two-factor settings.",
                )
            return redirect(_next(request))
        form.add_error(
            "code", _wrong_code(request.user, "That code is not right or has been used.")
        )
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@login_required
def setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code,
    then keep the recovery codes shown once. Replacing an app needs a recent code."""
    if two_factor.has_device(request.user) and not two_factor.recently_checked(request):
        return _recheck(request)
    device = two_factor.pending_app(request.user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error(
            "code", _wrong_code(request.user, "That code does not match the app.", device)
        )
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "key": two_factor.grouped_key(device),
        "required": two_factor.requires_two_factor(request.user),
        "next": _next(request),
    }
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


def _recheck(request):
    """Ask for a code again, then come back (to the settings page after a refused POST)."""
    messages.info(request, "Enter a code first: this changes how you sign in.")
    back = request.get_full_path() if request.method == "GET" else reverse("two-factor-settings")
    return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': back})}")


@login_required
def settings_page(request):
    user = request.user
    context = {
        "enrolled": two_factor.app_device(user) is not None,
        "codes_left": two_factor.recovery_codes_left(user),
        "required": two_factor.requires_two_factor(user),
    }
    return render(request, "accounts/two_factor_settings.html", context)


@login_required
@require_POST
def recovery_codes(request):
    if not two_factor.recently_checked(request):
        return _recheck(request)
    codes = two_factor.new_recovery_codes(request)
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": reverse("two-factor-settings")},
    )


@login_required
@require_POST
def turn_off(request):
    if not two_factor.recently_checked(request):
        return _recheck(request)
    try:
        two_factor.turn_off(request)
    except PermissionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("two-factor-settings")
