"""Who sees which learner: the caseload rule of `Learner.objects.visible_to`."""

from datetime import date, timedelta

from trellis.people.access import may
from trellis.people.models import Learner
from trellis.testing import assign


def visible(user):
    return set(Learner.objects.visible_to(user))


def test_an_assistant_sees_only_learners_on_an_active_assignment(world):
    assert visible(world.assistant) == {world.own_learner}


def test_an_ended_assignment_grants_nothing(world):
    # The assistant worked with the classmate in 2020; that case is closed.
    assert world.classmate not in visible(world.assistant)


def test_a_future_assignment_grants_nothing_yet(world):
    assign(world.assistant, world.other_school_learner, starts_on=date.today() + timedelta(days=3))
    assert world.other_school_learner not in visible(world.assistant)


def test_a_supervisor_sees_the_caseloads_of_the_staff_they_supervise(world):
    assert visible(world.supervisor) == {world.own_learner}


def test_a_program_admin_sees_their_whole_subtree_and_nothing_else(world):
    assert visible(world.program_admin) == {
        world.own_learner,
        world.classmate,
        world.other_school_learner,
    }


def test_a_technician_sees_only_their_client(world):
    assert visible(world.technician) == {world.client}


def test_staff_without_cases_see_nobody(world):
    assert visible(world.nurse) == set()
    assert visible(world.outsider) == set()


def test_a_guardian_sees_only_their_own_child_and_may_only_view(world):
    assert visible(world.guardian) == {world.own_learner}
    assert may(world.guardian, "view", world.own_learner)
    assert not may(world.guardian, "change", world.own_learner)
    assert not may(world.guardian, "export", world.own_learner)


def test_staff_on_the_case_may_change_and_export(world):
    assert may(world.assistant, "change", world.own_learner)
    assert not may(world.assistant, "change", world.classmate)


def test_visibility_has_no_duplicates_when_several_rules_grant_the_same_learner(world):
    assign(world.supervisor, world.own_learner)
    assert list(Learner.objects.visible_to(world.supervisor)) == [world.own_learner]


def test_a_superuser_sees_everyone_and_an_inactive_one_nobody(world):
    from trellis.testing import make_user

    root = make_user("root", is_staff=True, is_superuser=True)
    assert visible(root) == set(Learner.objects.all())
    assert may(root, "view", world.client) and may(root, "change", world.client)
    root.is_active = False
    assert visible(root) == set()


def ids_from_sql(user, **options):
    from django.db import connection

    from trellis.people.access import learner_ids_sql

    sql, params = learner_ids_sql(user, **options)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def test_the_compiled_rule_admits_the_same_learners_as_the_queryset_for_every_persona(world):
    from trellis.people.access import staff_learner_filter
    from trellis.testing import make_user

    world.classmate.active = False
    world.classmate.save()
    root = make_user("root", is_staff=True, is_superuser=True)
    people = [root, world.guardian, world.outsider, world.nurse]
    people += [world.assistant, world.supervisor, world.program_admin, world.technician]
    for user in people:
        for _ in range(2):  # compiled, then from the cache
            assert ids_from_sql(user) == {x.pk for x in visible(user)}, user
            staff = set(Learner.objects.filter(staff_learner_filter(user)).values_list("pk"))
            assert ids_from_sql(user, staff_only=True) == {pk for (pk,) in staff}, user
            active = {x.pk for x in visible(user) if x.active}
            assert ids_from_sql(user, active_only=True) == active, user


def test_the_compiled_rule_sees_a_change_of_caseload_or_role_at_once(world):
    from django.contrib.auth.models import User

    from trellis.people.models import Membership, Role

    assert ids_from_sql(world.assistant) == {world.own_learner.pk}
    assignment = assign(world.assistant, world.classmate)
    assert ids_from_sql(world.assistant) == {world.own_learner.pk, world.classmate.pk}
    assignment.ends_on = date.today() - timedelta(days=1)
    assignment.save()
    assert ids_from_sql(world.assistant) == {world.own_learner.pk}
    # A new admin role: the next request's user reads their roles afresh.
    Membership.objects.create(
        staff=world.assistant.staff, organization=world.school, role=Role.PROGRAM_ADMIN
    )
    fresh = User.objects.get(pk=world.assistant.pk)
    assert ids_from_sql(fresh) == {world.own_learner.pk, world.classmate.pk}
    fresh.is_active = False
    assert ids_from_sql(fresh) == set()
