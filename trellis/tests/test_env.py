"""Settings read from the environment fail loudly on bad values."""

import pytest

from trellis.env import env_bool, env_int, env_list, env_str, kept_secret


def test_booleans_and_integers_are_strict(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ValueError, match="FLAG must be true or false"):
        env_bool("FLAG")
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ValueError, match="COUNT must be a whole number"):
        env_int("COUNT", 1)


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("s3cret\n")
    monkeypatch.setenv("API_KEY_FILE", str(tmp_path / "secret"))
    assert env_str("API_KEY") == "s3cret"


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_list("HOSTS", "") == ["a.example", "b.example"]


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = kept_secret(tmp_path)
    assert kept_secret(tmp_path) == first and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
