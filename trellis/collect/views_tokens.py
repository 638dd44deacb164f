"""Personal API tokens on the user's profile: create (shown once) and revoke. Staff only: the
API is for staff devices and scripts; anyone else gets a 404, as for any page they may not see."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trellis.collect import actions
from trellis.collect.models import ApiToken, may_hold_token, token_lifetime


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Where it is used, e.g. “Classroom tablet”.",
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        required=False,
        help_text="A collection tablet needs “Read and record”; a report script needs only “Read”.",
    )

    def clean_scope(self):
        # Left out (a script posting the form): the lesser right.
        return self.cleaned_data["scope"] or ApiToken.Scope.READ


def _staff_only(request):
    if not may_hold_token(request.user):
        raise Http404("Not found.")


@login_required
def tokens(request):
    """GET: the user's tokens and the form; POST: a new token, shown on this page only."""
    _staff_only(request)
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_token = actions.create_token(
            request.user, form.cleaned_data["name"], form.cleaned_data["scope"]
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "lifetime_days": token_lifetime().days,
    }
    return render(request, "collect/tokens.html", context)


@login_required
@require_POST
def revoke(request):
    _staff_only(request)
    token = get_object_or_404(ApiToken, pk=request.POST.get("token") or 0, user=request.user)
    actions.revoke_token(request.user, token)
    return redirect("collect:tokens")
