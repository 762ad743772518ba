#!/usr/bin/env bash
# Runs the whole test suite: unit tests once, then every API test against SQLite and against
# PostgreSQL + pgvector (PGlite), with the real services the tests need (S3 server, Redis) started here.
# Usage: scripts/test.sh            (set TEST_PROVIDERS="sqlite" or "postgres" to run one provider only)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# --- tools the suite needs (installed on first use; CI runs this on a fresh machine) ---
if [ ! -d tests/services/node_modules ]; then
  npm ci --prefix tests/services --no-audit --no-fund
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null)
  else
    echo "redis-server is missing: sudo apt-get install redis-server" >&2; exit 1
  fi
fi
if ! command -v promtool >/dev/null 2>&1; then # deploy/ alert rules and metric names are checked with promtool
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null)
  else
    echo "promtool is missing: sudo apt-get install prometheus" >&2; exit 1
  fi
fi

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()' 2>/dev/null \
  || node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.2; done; echo "service on port $1 did not start" >&2; return 1; }

# --- Redis for the distributed cache layer ---
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$RESULTS/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$REDIS_PORT"
export TEST_REDIS="127.0.0.1:$REDIS_PORT"

dotnet build TeacherPlatform.sln -nologo -v q -clp:ErrorsOnly

run() { # name, project, extra args...
  local name=$1 project=$2; shift 2
  echo "=== $name ==="
  dotnet test "$project" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" "$@" || FAILED=1
}
FAILED=0
run unit tests/TeacherPlatform.UnitTests
# Metric maths, in-process retrieval/answers smoke on the tiny dataset, and a few-second load smoke run.
run evals tests/TeacherPlatform.Evals.Tests

for provider in ${TEST_PROVIDERS:-sqlite postgres}; do
  if [ "$provider" = postgres ]; then
    # Each test host gets a fresh PGlite database (PostgreSQL + pgvector, one session) from tests/services/pglite.mjs,
    # started by the tests themselves; set TEST_POSTGRES_CONNECTION to use a real server (with pgvector) instead.
    TEST_DB_PROVIDER=postgres run "api-postgres" tests/TeacherPlatform.Tests
  else
    TEST_DB_PROVIDER=sqlite run "api-sqlite" tests/TeacherPlatform.Tests
  fi
done

# One closing line for humans and CI: totals over every run.
sum() { grep -ho "$1=\"[0-9]*\"" "$RESULTS"/*.trx | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
PASSED=$(sum passed); FAILS=$(sum failed); SKIPPED=$(( $(sum total) - $(sum executed) ))
echo "Total: $PASSED passed, $FAILS failed, $SKIPPED skipped"
[ "$FAILED" = 0 ] && [ "$FAILS" = 0 ]
