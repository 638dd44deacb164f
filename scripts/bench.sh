#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures; the database-bound ones run on SQLite and
# then on PostgreSQL when it answers at BENCH_DATABASE_URL. Each creates and drops its own
# throwaway database.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/trellis_bench}"

run() { echo; echo "== $*"; "$@"; }

run "$BIN/python" bench/bench_analysis.py
run "$BIN/python" bench/bench_graphs.py
run "$BIN/python" bench/bench_tap_latency.py
for bench in bench/bench_sync.py bench/bench_dashboard.py; do
  run env -u DATABASE_URL "$BIN/python" "$bench"
  if "$BIN/python" -c "import psycopg,sys; psycopg.connect('${PG_URL%/*}/postgres', connect_timeout=3).close()" 2>/dev/null; then
    run env DATABASE_URL="$PG_URL" "$BIN/python" "$bench"
  fi
done
