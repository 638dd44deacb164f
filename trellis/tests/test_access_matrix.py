"""The access matrix: every URL the project defines × every persona × own / other learner.

The URL conf is walked, so a new view is covered automatically: a URL that is missing from
EXPECTED fails `test_every_url_is_in_the_matrix` until someone states who may open it. Besides the
status code, no response may contain the name of a learner the persona may not see.
"""

import re
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from trellis.monitoring.tests.helpers import make_recommendation
from trellis.people.models import Learner
from trellis.testing import make_dose, make_goal, make_incident, make_order, make_session

PERSONAS = [
    "anonymous",
    "assistant",
    "other_assistant",
    "supervisor",
    "program_admin",
    "technician",
    "nurse",
    "guardian",
    "outsider",
]
# The learner each persona may see (None: nobody); "other" is always someone they may not see.
OWN = {
    "assistant": "own_learner",
    "other_assistant": "classmate",
    "supervisor": "own_learner",
    "program_admin": "other_school_learner",
    "technician": "client",
    "guardian": "own_learner",
}
OTHER = {"program_admin": "client", "technician": "own_learner"}
# Who writes plans (supervisor or program admin role); see trellis.plans.access.
PLAN_WRITERS = {"supervisor", "program_admin"}

LOGIN = "login"  # a redirect to the sign-in page
SIGNED_IN = {p: 200 for p in PERSONAS if p != "anonymous"} | {"anonymous": LOGIN}
ADMINS_ONLY = {p: 404 for p in PERSONAS} | {"program_admin": 200, "anonymous": LOGIN}
STAFF_ONLY = SIGNED_IN | {"guardian": 404, "outsider": 404}

# How to fill a URL argument with an object that belongs to a given learner. A URL whose
# arguments are all here is checked twice: with the persona's own learner's object (200) and with
# another learner's (404). A new kind of object adds its filler here.
FILLERS = {
    "learner_id": lambda world, learner: learner.pk,
    # plans and collect (issue 4)
    "plan_id": lambda world, learner: make_goal(world, learner).plan_id,
    "goal_id": lambda world, learner: make_goal(world, learner).pk,
    "session_id": lambda world, learner: make_session(world, learner).pk,
    # incidents and health (issue 6)
    "incident_id": lambda world, learner: make_incident(world, learner).pk,
    "order_id": lambda world, learner: make_order(world, learner).pk,
    "dose_id": lambda world, learner: make_dose(world, learner).pk,
    # the live collection screen (issue 4): a group with just that learner
    "group_id": lambda world, learner: make_group(learner).pk,
    # progress monitoring (issue 5): an open recommendation on a goal of the learner
    "rec_id": lambda world, learner: make_recommendation(world, learner).pk,
    # staffing: the "learner" slot holds a staff member here (see "staff:admins")
    "staff_id": lambda world, staff: staff.pk,
    "token": lambda world, _: "not-a-valid-invitation",
    "rest": lambda world, _: "no/such/endpoint",
    # disclosures and records requests (issue 12)
    "request_id": lambda world, learner: make_records_request(world, learner).pk,
    "uidb64": lambda world, _: "MQ",
    "task_id": lambda world, _: "6f1c1d5e-0000-4000-8000-000000000000",
}


def make_records_request(world, learner):
    from trellis.records.models import RecordsRequest

    return RecordsRequest.objects.create(
        learner=learner,
        kind="inspect",
        requested_by="A parent",
        received_on=date.today(),
        due_on=date.today(),
        details="Everything",
        recorded_by=world.program_admin,
    )


def make_group(learner):
    from trellis.people.models import Group

    group = Group.objects.create(organization=learner.organization, name="Matrix group")
    group.learners.add(learner)
    return group


# URL name → {persona: expected status}, or "learner" for the own / other check above, or
# "learner:staff" for the same check on a staff-only page (a guardian gets 404 for their own
# child too: families see what is released to them elsewhere).
EXPECTED = {
    # Staff land on their work queues; a family (and anyone without a staff role) on "My children".
    "home": {p: 200 for p in PERSONAS} | {"anonymous": LOGIN, "guardian": 302, "outsider": 302},
    # A program admin's staffing pages (people/views_staff.py); "staff:admins" checks a person of
    # the admin's organizations (200) and one of another organization (404).
    "people:staff": ADMINS_ONLY,
    "people:staff_new": ADMINS_ONLY,
    # Disclosures and records requests (trellis/records): staff of the learner.
    "records:learner": "learner:staff",
    # Without the download it was sent from (?next=), a 404; records/tests walk the real flow.
    "records:release": "learner:nobody",
    "records:requests": STAFF_ONLY,
    "records:request": "learner:staff",
    "people:records_access": ADMINS_ONLY,
    "people:staff_detail": "staff:admins",
    # Emergency access (people/views_emergency.py): only staff a program admin allowed it
    # (none of the personas; tests in people/tests/test_emergency_access.py), reviewed by admins.
    "people:emergency_find": {p: 404 for p in PERSONAS} | {"anonymous": LOGIN},
    "people:emergency_open": "learner:nobody",
    "people:emergency_review": ADMINS_ONLY,
    # The invitation link: an invalid one is a 404 for everyone, signed in or not.
    "accept-invitation": {p: 404 for p in PERSONAS},
    "people:caseload": SIGNED_IN,
    "people:learner": "learner",
    "audit-log": ADMINS_ONLY,
    "login": {p: 302 for p in PERSONAS} | {"anonymous": 200},
    "logout": {p: 405 for p in PERSONAS},  # sign-out is a POST
    "profile": SIGNED_IN,
    "password_change": SIGNED_IN,
    "devices": SIGNED_IN,  # one's own signed-in devices only (accounts/tests)
    # Password reset: open to anyone (a signed-in person may reset too); an invalid link says
    # so with a 200 page naming nothing.
    "password_reset": {p: 200 for p in PERSONAS},
    "password_reset_done": {p: 200 for p in PERSONAS},
    "password_reset_confirm": {p: 200 for p in PERSONAS},
    "password_reset_complete": {p: 200 for p in PERSONAS},
    # Two-factor pages: the code is asked of whoever has a device (the supervisor and program
    # admin need one), enrolment of whoever has none; replacing a device needs a recent code.
    "two-factor-settings": SIGNED_IN,
    "two-factor-verify": {p: 302 for p in PERSONAS} | {"supervisor": 200, "program_admin": 200},
    "two-factor-setup": SIGNED_IN | {"supervisor": 302, "program_admin": 302},
    "two-factor-recovery-codes": {p: 405 for p in PERSONAS} | {"anonymous": LOGIN},  # POST
    "two-factor-off": {p: 405 for p in PERSONAS} | {"anonymous": LOGIN},  # POST only
    # Probes for load balancers and Prometheus (trellis/ops): anyone, signed in or not.
    # /metrics answers only loopback or its token; the test client comes from 127.0.0.1.
    "healthz": {p: 200 for p in PERSONAS},
    "readyz": {p: 200 for p in PERSONAS},
    "metrics": {p: 200 for p in PERSONAS},
    # Background tasks (trellis/tasks): a task's progress for the person who started it (none
    # of the personas started this one; tasks/tests/test_progress.py); failures for superusers.
    "tasks:progress": {p: 404 for p in PERSONAS} | {"anonymous": LOGIN},
    "tasks:failed": {p: 404 for p in PERSONAS} | {"anonymous": LOGIN},
    "tasks:retry": {p: 405 for p in PERSONAS} | {"anonymous": LOGIN},  # POST only
    # The JSON API (issue 4): 401 without credentials; staff-only like "learner:staff".
    "api:api-root": {p: 404 for p in PERSONAS},
    # A path the API does not have: a JSON 404 for anyone (trellis/api.py).
    "api:not_found": {p: 404 for p in PERSONAS},
    "api:unknown_path": {p: 404 for p in PERSONAS},
    "api:openapi-json": {p: 200 for p in PERSONAS},
    "api:list_learners": {p: 200 for p in PERSONAS} | {"anonymous": 401},
    "api:learner_goals": "api:staff",
    "api:learner_kit": "api:staff",
    "api:create_session": {p: 405 for p in PERSONAS},  # POST only
    "api:get_session": "api:staff",
    "api:end_session": "api:staff",  # PATCH on the same URL as get_session
    "api:session_summary": "api:staff",
    "api:sync": {p: 405 for p in PERSONAS},  # POST only
    "api:goal_data": "api:staff",
    "collect:tokens": STAFF_ONLY,  # only staff hold API tokens
    # The live collection screen (collect/views_screen.py). Other staff of the learner get the
    # "join as second observer" page on someone else's session screen.
    "collect:service-worker": {p: 200 for p in PERSONAS},  # code only, no data
    "collect:start": "learner:staff",
    "collect:start-group": "learner:staff",
    "collect:screen": "learner:staff",
    "collect:end": "learner:staff",
    "collect:observe": "learner:staff",  # GET asks, POST joins
    # The empty shell of a session started offline (filled from the device): staff only.
    "collect:offline-screen": {p: 200 for p in PERSONAS}
    | {"anonymous": LOGIN, "guardian": 404, "outsider": 404},
    "collect:token_revoke": {p: 405 for p in PERSONAS} | {"anonymous": LOGIN},  # POST only
    # plans (issue 4): staff read; "learner:writers" pages are for plan writers (supervisors,
    # teachers, program admins) on their own learners, 404 for everyone else.
    "plans:learner_plans": "learner:staff",
    "plans:create": "learner:writers",
    "plans:definitions": "learner:staff",
    "plans:detail": "learner:staff",
    "plans:edit": "learner:writers",
    "plans:approve": "learner:writers",  # GET confirms, POST approves
    "plans:revise": "learner:writers",  # GET asks the reason, POST drafts a version
    "plans:add_goal": "learner:writers",
    "plans:goal": "learner:staff",
    "plans:edit_goal": "learner:writers",
    "plans:remove_goal": "learner:writers",  # POST only, see POST_ONLY
    "plans:org_lists": {p: 404 for p in PERSONAS}
    | {"supervisor": 200, "program_admin": 200, "anonymous": LOGIN},
    # incidents, health and credentials (issue 6): staff pages; families get 404.
    "incidents:notifications": SIGNED_IN,
    "incidents:list": STAFF_ONLY,
    "incidents:reports": STAFF_ONLY,
    "incidents:learner": "learner:staff",
    "incidents:file": "learner:staff",
    "incidents:detail": "learner:staff",
    "incidents:edit": "learner:staff",
    "incidents:sign": "learner:staff",
    "incidents:episode": "learner:staff",
    "incidents:guardian": "learner:staff",
    "incidents:debrief": "learner:staff",
    "incidents:follow_ups": "learner:staff",
    "incidents:close": "learner:staff",
    "incidents:pdf": "learner:staff",
    "health:orders": "learner:staff",
    "health:mar": "learner:staff",
    "health:record": "learner:staff",
    "health:error": "learner:staff",
    "health:correct": "learner:staff",
    "health:effect": "learner:staff",
    "health:count": "learner:staff",
    "credentials:roster": STAFF_ONLY,
    "credentials:add": ADMINS_ONLY,
    # progress monitoring (issue 5): staff pages; families see progress in the portal.
    "monitoring:dashboard": STAFF_ONLY,
    "monitoring:goal": "learner:staff",
    "monitoring:graph-png": "learner:staff",
    "monitoring:graph-pdf": "learner:staff",
    "monitoring:graph-svg": "learner:staff",
    "monitoring:effects": "learner:staff",
    "monitoring:accept": "learner:staff",  # GET shows the form, POST accepts
    "monitoring:dismiss": "learner:staff",
    "monitoring:decisions": "learner:staff",
    "monitoring:fba": "learner:staff",
    "monitoring:ioa": "learner:staff",
}
# POST-only views (a GET is 405 for everyone) are sent a POST instead; an allowed one answers
# with a redirect.
POST_ONLY = {"plans:remove_goal"}
# Downloads of records ask who they are for first (trellis/records/release.py): answered here.
ASKS_WHO_FOR = {
    "monitoring:graph-png",
    "monitoring:graph-pdf",
    "monitoring:graph-svg",
    "incidents:pdf",
}
# The Django admin is Django's own; tests/test_admin.py checks its scoping.
SKIPPED_NAMESPACES = {"admin"}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def project_urls():
    return sorted({(name, route) for name, route, _ in walk(get_resolver().url_patterns)})


def test_every_url_is_in_the_matrix():
    missing = [name for name, _ in project_urls() if name not in EXPECTED]
    assert not missing, f"State who may open these URLs in EXPECTED: {missing}"


ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route, world, learner=None):
    def value(match):
        filler = FILLERS.get(match["name"])
        assert filler, f"Teach the matrix how to fill {match['name']} in {route}"
        return str(filler(world, learner))

    return "/" + ARGUMENT.sub(value, route)


def sign_in(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == expected


def hidden_names(world, persona):
    if persona == "anonymous":
        return [learner.last_name for learner in world.learners]
    seen = set(Learner.objects.visible_to(getattr(world, persona)))
    return [learner.last_name for learner in world.learners if learner not in seen]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name,route", project_urls())
def test_access(client, world, persona, name, route):
    sign_in(client, world, persona)
    rule = EXPECTED[name]
    send, ok = (client.post, 302) if name in POST_ONLY else (client.get, 200)
    cases = []
    if rule in ("learner", "learner:staff", "api:staff", "learner:writers"):
        staff_only = rule != "learner"
        # The API answers 401 where a page would send an anonymous visitor to sign in.
        anonymous = 401 if rule == "api:staff" else LOGIN
        own = OWN.get(persona) if not (staff_only and persona == "guardian") else None
        other = OTHER.get(persona, "classmate" if persona != "other_assistant" else "client")
        if own:
            allowed = rule != "learner:writers" or persona in PLAN_WRITERS
            status = (ok if allowed else 404) if persona != "anonymous" else anonymous
            cases.append((getattr(world, own), status))
        cases.append((getattr(world, other), 404 if persona != "anonymous" else anonymous))
        if staff_only and persona == "guardian":
            cases.append((world.own_learner, 404))
    elif rule == "learner:nobody":  # a page about a learner that none of the personas may open
        for learner in (world.own_learner, world.classmate):
            cases.append((learner, LOGIN if persona == "anonymous" else 404))
    elif rule == "staff:admins":
        mine = 200 if persona == "program_admin" else 404
        for staff, status in [(world.assistant.staff, mine), (world.technician.staff, 404)]:
            cases.append((staff, LOGIN if persona == "anonymous" else status))
    else:
        cases.append((None, rule[persona]))
    hidden = hidden_names(world, persona)
    for learner, expected in cases:
        url = fill(route, world, learner)
        response = send(url, {"for": "internal"} if name in ASKS_WHO_FOR else None)
        check(response, expected)
        body = response.content.decode(errors="replace")
        leaked = [name for name in hidden if name in body]
        assert not leaked, f"{persona} saw {leaked} on {route}"


def admin_models():
    from django.contrib import admin

    return sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)


@pytest.fixture
def agency_records(world):
    """One row of each kind the agency owns, so a leak of the agency's data shows by name."""
    from trellis.collect.models import ApiToken

    make_goal(world, world.client)
    make_session(world, world.client)
    make_incident(world, world.client)
    ApiToken.issue(world.technician, name="Marrowdale tablet")
    return ["Marrowdale", "Test Clinic", "Test Agency", "Technician Staffer"]


@pytest.mark.parametrize("app,model", admin_models())
def test_every_admin_page_is_scoped_to_the_admins_organizations(
    client, world, agency_records, app, model
):
    """Admin URLs in the matrix: a district program admin with every admin permission sees
    nothing of the agency on any list or add page of the Django admin; staff without admin
    access and visitors are sent to the admin's sign-in."""
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    changelist = reverse(f"admin:{app}_{model}_changelist")
    add = reverse(f"admin:{app}_{model}_add")
    for persona in ("anonymous", "assistant", "technician"):
        sign_in(client, world, persona)
        response = client.get(changelist)
        assert response.status_code == 302 and "/admin/login/" in response.url, persona
    admin_user = world.program_admin
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.set(Permission.objects.all())
    client.force_login(admin_user)
    for url in (changelist, add):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        page = response.content.decode()
        leaked = [name for name in agency_records if re.search(rf"\b{name}\b", page)]
        assert not leaked, f"the district's admin sees {leaked} on {url}"
