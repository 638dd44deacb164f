from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trellis.people.access import staff_of


@login_required
def profile(request):
    staff = staff_of(request.user)
    memberships = staff.memberships.select_related("organization") if staff else []
    return render(request, "accounts/profile.html", {"staff": staff, "memberships": memberships})
