import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from trellis.audit.log import AuditContext, set_context
from trellis.demo.people import DISTRICT_NAME, PASSWORD, build_people
from trellis.people.models import Organization

LOGINS = [
    ("demo-admin", "program admin of the district and the agency (sees both, reads the audit log)"),
    ("demo-supervisor", "school psychologist at Maple Grove, supervises demo-assistant"),
    ("demo-assistant", "intervention assistant at Maple Grove Elementary"),
    ("demo-technician", "behavior technician at Bright Path Eastside Clinic"),
    (
        "demo-nurse",
        "school nurse at Maple Grove: medication orders and the MAR of their cases; "
        "emergency access to the other children of Maple Grove",
    ),
    ("demo-guardian", "parent of a child on demo-assistant's caseload"),
]


# The demo's authenticator-app key (synthetic and public, like the demo password): the logins
# whose role requires a second factor share it, so one app entry (or `trellis demo --code`)
# serves them all.
DEMO_TOTP_KEY = "5452454c4c49532d44454d4f2d4f4e4c592d3230"


def demo_code() -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}"


def grouped_demo_key() -> str:
    from base64 import b32encode

    key = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def enrol_demo_logins():
    """The demo logins that need a second factor get the demo's app key."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trellis.accounts.two_factor import APP_NAME, requires_two_factor

    enrolled = []
    for user in User.objects.filter(username__in=[name for name, _ in LOGINS]):
        if requires_two_factor(user):
            TOTPDevice.objects.create(user=user, name=APP_NAME, key=DEMO_TOTP_KEY, confirmed=True)
            enrolled.append(user.username)
    return sorted(enrolled)


class Command(BaseCommand):
    help = "Create the synthetic demo organization (kept as it is if it already exists)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--code",
            action="store_true",
            help="Print the demo logins' current two-factor code (the demo's app key only).",
        )

    def handle(self, *args, **options):
        if options["code"]:
            self.stdout.write(demo_code())
            return
        if Organization.objects.filter(name=DISTRICT_NAME).exists():
            self.stdout.write("The demo organization exists already; its data is kept.")
        else:
            set_context(AuditContext())
            started = time.monotonic()
            with transaction.atomic():
                # Each step says what it builds, so a newcomer sees the work going on.
                self.step("people and caseloads", started)
                people = build_people()
                for app, builder in demo_builders():
                    self.step(app, started)
                    builder(people)
                enrol_demo_logins()
            took = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Created the synthetic demo organization in {took:.0f} s.")
            )
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for username, who in LOGINS:
            self.stdout.write(f"  {username:<16} {who}")
        self.stdout.write(
            "\ndemo-admin and demo-supervisor also give a code from an authenticator app (their"
            f" roles require it):\n  add the key {grouped_demo_key()} to the app,"
            "\n  or run `.venv/bin/trellis demo --code` for the current code."
        )

    def step(self, what, started):
        self.stdout.write(f"  [{time.monotonic() - started:5.1f} s] building the demo: {what}…")
        self.stdout.flush()


def demo_builders():
    """Each app adds its part of the demo with a `demo.build(people)` function, in app order."""
    for config in apps.get_app_configs():
        module = f"{config.name}.demo"
        if (
            config.name.startswith("trellis.")
            and config.name != "trellis.demo"
            and find_spec(module)
        ):
            yield config.verbose_name or config.label, import_module(module).build
