import pytest

from trellis.audit.log import AuditContext, reset_context, set_context
from trellis.testing import build_world


@pytest.fixture(autouse=True)
def fresh_audit_context():
    """Each test starts as "system", as a management command would."""
    token = set_context(AuditContext())
    yield
    reset_context(token)


@pytest.fixture
def world(db):
    return build_world()
