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
    ("demo-nurse", "school nurse at Maple Grove: medication orders and the MAR of their cases"),
    ("demo-guardian", "parent of a child on demo-assistant's caseload"),
]


class Command(BaseCommand):
    help = "Create the synthetic demo organization (kept as it is if it already exists)."

    def handle(self, *args, **options):
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
            took = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Created the synthetic demo organization in {took:.0f} s.")
            )
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for username, who in LOGINS:
            self.stdout.write(f"  {username:<16} {who}")

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
