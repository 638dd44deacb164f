"""The demo organization's people: a school district and an ABA agency, all synthetic.

`demo-assistant` works at Maple Grove Elementary and `demo-technician` at the agency's clinic:
they share no learner and each sees only part of their organization, which shows caseload scoping.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission, User
from faker import Faker

from trellis.people.models import (
    CaseAssignment,
    Group,
    Guardian,
    GuardianLink,
    Learner,
    Membership,
    Organization,
    Role,
    StaffMember,
)

PASSWORD = "trellis-demo"
DISTRICT_NAME = "Riverbend Unified School District"
CaseRole = CaseAssignment.CaseRole


@dataclass
class DemoPeople:
    district: Organization
    schools: list[Organization]
    agency: Organization
    clinic: Organization
    logins: dict[str, str] = field(default_factory=dict)


class Builder:
    def __init__(self, seed=2026):
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake_es = Faker("es_MX")
        self.fake.seed_instance(seed)
        self.fake_es.seed_instance(seed + 1)
        self.today = date.today()
        self.school_year_start = date(
            self.today.year if self.today.month >= 8 else self.today.year - 1, 8, 20
        )
        self.usernames = set()
        # Hashing is slow on purpose; every demo login shares one password, so hash it once.
        self.password_hash = make_password(PASSWORD)

    def user(self, username, first, last, *, is_staff=False):
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=self.password_hash,
            is_staff=is_staff,
        )
        self.usernames.add(username)
        return user

    def staff(self, org, role, *, username=None, title="", supervisors=()):
        first, last = self.fake.first_name(), self.fake.last_name()
        if username is None:
            username = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            while username in self.usernames:
                username += str(self.rng.randint(1, 9))
        member = StaffMember.objects.create(
            user=self.user(username, first, last, is_staff=role == Role.PROGRAM_ADMIN),
            title=title or Role(role).label,
        )
        Membership.objects.create(staff=member, organization=org, role=role)
        member.supervisors.set(supervisors)
        return member

    def learner(self, org, *, grade="", program="", spanish=False, age_range=(5, 11)):
        fake = self.fake_es if spanish else self.fake
        sex = self.rng.choice(["male", "female"])
        first = fake.first_name_male() if sex == "male" else fake.first_name_female()
        last = fake.last_name()
        age = self.rng.randint(*age_range)
        born = self.today - timedelta(days=age * 365 + self.rng.randint(0, 364))
        learner = Learner.objects.create(
            organization=org,
            first_name=first,
            last_name=last,
            birth_date=born,
            grade=grade,
            program=program,
            local_id=f"{org.pk:02d}{self.rng.randint(100000, 999999)}",
            state_id=f"TX{self.rng.randint(10**8, 10**9 - 1)}" if grade else "",
            languages="Spanish, English" if spanish else "English",
        )
        for index in range(self.rng.choice([1, 1, 2])):
            g_first = fake.first_name_female() if index == 0 else fake.first_name_male()
            guardian = Guardian.objects.create(
                first_name=g_first,
                last_name=last,
                email=f"{g_first}.{last}{self.rng.randint(1, 99)}@example.net".lower(),
                phone=f"(555) 01{self.rng.randint(0, 9)}-{self.rng.randint(1000, 9999)}",
                preferred_language="es" if spanish and self.rng.random() < 0.8 else "en",
            )
            GuardianLink.objects.create(
                guardian=guardian,
                learner=learner,
                relationship=["mother", "father"][index] if index < 2 else "guardian",
            )
        return learner

    def assign(self, staff, learner, role, starts_on=None):
        CaseAssignment.objects.create(
            staff=staff,
            learner=learner,
            role=role,
            starts_on=starts_on or self.school_year_start,
        )


def program_admin_group():
    """Django-admin rights for program admins: manage people and read the audit log."""
    group, _ = AuthGroup.objects.get_or_create(name="Program admins")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["people", "audit"])
    )
    return group


def build_people() -> DemoPeople:
    b = Builder()
    district = Organization.objects.create(
        name=DISTRICT_NAME, kind=Organization.Kind.DISTRICT, time_zone="America/Chicago"
    )
    maple = Organization.objects.create(
        name="Maple Grove Elementary",
        kind=Organization.Kind.SCHOOL,
        parent=district,
        time_zone="America/Chicago",
    )
    cedar = Organization.objects.create(
        name="Cedar Hill Middle School",
        kind=Organization.Kind.SCHOOL,
        parent=district,
        time_zone="America/Chicago",
    )
    agency = Organization.objects.create(
        name="Bright Path Behavioral Health",
        kind=Organization.Kind.AGENCY,
        learner_word=Organization.LearnerWord.CLIENT,
        time_zone="America/Chicago",
    )
    clinic = Organization.objects.create(
        name="Bright Path Eastside Clinic",
        kind=Organization.Kind.PROGRAM,
        parent=agency,
        learner_word=Organization.LearnerWord.CLIENT,
        time_zone="America/Chicago",
    )

    admins = program_admin_group()
    demo_admin = b.staff(
        district, Role.PROGRAM_ADMIN, username="demo-admin", title="Director of Student Services"
    )
    Membership.objects.create(staff=demo_admin, organization=agency, role=Role.PROGRAM_ADMIN)
    agency_admin = b.staff(agency, Role.PROGRAM_ADMIN, title="Clinical Director")
    for admin in (demo_admin, agency_admin):
        admin.user.groups.add(admins)

    # District: a supervising school psychologist over assistants at Maple Grove.
    supervisor = b.staff(
        maple,
        Role.SUPERVISOR,
        username="demo-supervisor",
        title="School Psychologist / MTSS Coordinator",
    )
    assistant = b.staff(
        maple,
        Role.ASSISTANT,
        username="demo-assistant",
        title="Intervention Assistant",
        supervisors=[supervisor],
    )
    maple_assistants = [assistant] + [
        b.staff(maple, Role.ASSISTANT, title="Intervention Assistant", supervisors=[supervisor])
        for _ in range(3)
    ]
    maple_teachers = [
        b.staff(maple, Role.TEACHER, title="Special Education Teacher") for _ in range(4)
    ]
    cedar_supervisor = b.staff(cedar, Role.SUPERVISOR, title="Special Education Coordinator")
    cedar_assistants = [
        b.staff(cedar, Role.ASSISTANT, title="Paraprofessional", supervisors=[cedar_supervisor])
        for _ in range(3)
    ]
    cedar_teachers = [b.staff(cedar, Role.TEACHER, title="Interventionist") for _ in range(3)]
    # demo-nurse charts the MAR at Maple Grove (health's demo gives them their cases) and may
    # use emergency access for a child of Maple Grove who is not on their caseload.
    nurse = b.staff(maple, Role.NURSE, username="demo-nurse", title="School Nurse")
    nurse.may_break_glass = True
    nurse.save(update_fields=["may_break_glass"])
    b.staff(cedar, Role.NURSE, title="School Nurse")

    # Agency: BCBAs supervising technicians at the clinic.
    bcbas = [b.staff(clinic, Role.SUPERVISOR, title="BCBA") for _ in range(2)]
    technician = b.staff(
        clinic,
        Role.TECHNICIAN,
        username="demo-technician",
        title="Registered Behavior Technician",
        supervisors=[bcbas[0]],
    )
    technicians = [technician] + [
        b.staff(
            clinic,
            Role.TECHNICIAN,
            title="Registered Behavior Technician",
            supervisors=[bcbas[i % 2]],
        )
        for i in range(6)
    ]
    b.staff(clinic, Role.NURSE, title="Clinic Nurse")

    grades = ["K", "1", "2", "3", "4", "5"]
    for index in range(30):
        grade = grades[index % 6]
        learner = b.learner(
            maple,
            grade=grade,
            spanish=b.rng.random() < 0.3,
            age_range=(5 + grades.index(grade), 5 + grades.index(grade)),
        )
        b.assign(maple_assistants[index % 4], learner, CaseRole.ASSISTANT)
        b.assign(maple_teachers[index % 4], learner, CaseRole.CASE_MANAGER)
        if index % 5 == 0:
            b.assign(supervisor, learner, CaseRole.SPECIALIST)
    for index in range(20):
        grade = ["6", "7", "8"][index % 3]
        learner = b.learner(
            cedar,
            grade=grade,
            spanish=b.rng.random() < 0.3,
            age_range=(11 + index % 3, 11 + index % 3),
        )
        b.assign(cedar_assistants[index % 3], learner, CaseRole.ASSISTANT)
        b.assign(cedar_teachers[index % 3], learner, CaseRole.CASE_MANAGER)
    for index in range(32):
        learner = b.learner(
            clinic,
            program=b.rng.choice(["Early intervention (EIBI)", "Focused ABA", "Social skills"]),
            spanish=b.rng.random() < 0.25,
            age_range=(3, 12),
        )
        b.assign(technicians[index % 6], learner, CaseRole.TECHNICIAN)
        b.assign(bcbas[index % 2], learner, CaseRole.BCBA)

    # A departed assistant: the ended assignment must no longer grant access.
    former = b.staff(maple, Role.ASSISTANT, title="Intervention Assistant (former)")
    first_maple = Learner.objects.filter(organization=maple).first()
    CaseAssignment.objects.create(
        staff=former,
        learner=first_maple,
        role=CaseRole.ASSISTANT,
        starts_on=b.school_year_start - timedelta(days=300),
        ends_on=b.school_year_start - timedelta(days=1),
    )

    # demo-guardian is the parent of a child on demo-assistant's caseload.
    child = (
        Learner.objects.filter(assignments__staff=assistant, organization=maple)
        .order_by("pk")
        .first()
    )
    guardian = child.guardian_links.order_by("pk").first().guardian
    guardian.user = b.user("demo-guardian", guardian.first_name, guardian.last_name)
    guardian.save()

    reading = Group.objects.create(organization=maple, name="Tier 2 reading — Grade 2")
    reading.learners.set(Learner.objects.filter(organization=maple, grade="2")[:4])
    reading.staff.set([assistant])
    social = Group.objects.create(organization=clinic, name="Social skills group")
    social.learners.set(Learner.objects.filter(organization=clinic)[:4])
    social.staff.set([technician])

    return DemoPeople(district=district, schools=[maple, cedar], agency=agency, clinic=clinic)
