#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when it answers (required with CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/trellis_test}"
case "$PG_URL" in postgres*) ;; *) PG_URL=postgresql://postgres@127.0.0.1:5432/trellis_test ;; esac

if ! command -v chromium >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "== installing Chromium from Debian for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!! chromium not found: browser tests will be skipped (apt-get install chromium)"
  fi
fi

pg_answers() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1])
try:
    psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

if ! pg_answers && [ "${CI:-}" = "true" ]; then
  echo "== starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
fi

DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$DATA_DIR"' EXIT
export TRELLIS_DATA_DIR="$DATA_DIR"

echo "== test suite on SQLite"
env -u DATABASE_URL "$BIN/pytest" "$@"

if pg_answers; then
  echo "== test suite on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" "$BIN/pytest" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "!! PostgreSQL does not answer at $PG_URL and CI requires it" >&2
  exit 1
else
  echo "!! PostgreSQL does not answer at $PG_URL: ran on SQLite only"
fi
