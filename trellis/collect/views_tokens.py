"""Personal API tokens on the user's profile: create (shown once) and revoke."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trellis.collect import actions
from trellis.collect.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Where it is used, e.g. “Classroom tablet”.",
    )


@login_required
def tokens(request):
    """GET: the user's tokens and the form; POST: a new token, shown on this page only."""
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_token = actions.create_token(request.user, form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "collect/tokens.html",
        {"form": form, "new_token": new_token, "tokens": request.user.api_tokens.all()},
    )


@login_required
@require_POST
def revoke(request):
    token = get_object_or_404(ApiToken, pk=request.POST.get("token") or 0, user=request.user)
    actions.revoke_token(request.user, token)
    return redirect("collect:tokens")
