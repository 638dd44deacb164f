import os
import shlex
import sys

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve Trellis with gunicorn: TRELLIS_WORKERS processes (default 2 × CPUs + 1) of "
        "TRELLIS_THREADS threads (4) on TRELLIS_BIND (127.0.0.1:8000; comma-separated for more)."
    )

    def handle(self, *args, **options):
        # Without the manifest WhiteNoise cannot name a hashed file, and every page fails.
        storage = staticfiles_storage
        if isinstance(storage, ManifestFilesMixin) and storage.read_manifest() is None:
            raise CommandError("The static files are not collected: run `trellis collectstatic`.")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:trellis.ops.gunicorn_conf",
            "trellis.wsgi",
        ]
        self.stdout.write(shlex.join(argv))
        self.stdout.flush()
        os.execv(sys.executable, argv)
