"""`trellis token create USERNAME [--name NAME] [--scope read|sync]`: a personal API token,
printed once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from trellis.collect.actions import create_token
from trellis.collect.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for a user; the token is printed alone on the last line."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        create = sub.add_parser("create", help="Create a token.")
        create.add_argument("username")
        create.add_argument("--name", default="Command line")
        create.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.SYNC,
            help="read: read only; sync (the default): read and record.",
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            token, raw = create_token(user, options["name"], options["scope"])
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        self.stdout.write(f"Token {token.hint}… for {user.get_username()}; it is shown only now:")
        self.stdout.write(raw)
