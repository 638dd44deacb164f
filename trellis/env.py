"""Strict readers for settings taken from the environment.

A bad value fails loudly at start-up instead of silently falling back to a default.
"""

import json
import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_json(name: str, default):
    """A JSON value (an object of a backend's options, say); the file form works as for
    env_str, so credentials inside stay out of the environment."""
    value = env_str(name)
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ValueError(f"{name} must be JSON: {error}") from None


def kept_secret(data_dir: Path, name: str = "secret_key") -> str:
    """A random secret generated on first run and kept in the data folder (mode 600)."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
