"""Settings for the test suite: the production settings with fast hashing and plain static files."""

from trellis.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render pages without running collectstatic first.
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Checkpoints only where a test writes one (trellis/audit/tests).
AUDIT_CHECKPOINT_MINUTES = 0
# Tasks run in the test's own process, their errors raised; a test that wants a real worker
# starts one (trellis/tasks/tests/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = True
# The worker's broker from the start (the eager runs before it keep a producer for this one):
# CI's real Redis, on a db number of its own; elsewhere the embedded one in the data folder.
if env_bool("CI"):  # noqa: F405
    CELERY_BROKER_URL = "redis://127.0.0.1:6379/7"
