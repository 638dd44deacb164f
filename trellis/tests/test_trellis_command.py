"""The `trellis` console script wraps Django's management commands with the settings preset."""

import os
import subprocess
import sys


def test_the_trellis_command_runs_management_commands(tmp_path):
    env = {**os.environ, "TRELLIS_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "trellis", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert (tmp_path / "secret_key").exists()
