"""A real worker runs what the web queues (the rest of the suite runs tasks eagerly)."""

from trellis.audit.checkpoint import newest_checkpoint
from trellis.audit.log import record
from trellis.ops.tasks import write_audit_checkpoint


def test_a_worker_runs_the_scheduled_audit_checkpoint(worker, settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.jsonl"
    entry = record("learner.view", detail={})
    result = write_audit_checkpoint.apply_async(ignore_result=False)
    assert result.get(timeout=10) == entry.pk
    assert newest_checkpoint().entry_id == entry.pk
