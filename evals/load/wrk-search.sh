#!/usr/bin/env bash
# CPU per distinct search under load (issue 11, item 3): starts a fresh Release API on a private data directory with
# the given settings, loads a dataset, registers student accounts, then runs wrk (100 users, each posting a distinct
# 26-34-word question to /api/search and thinking 1 s; see wrk-search.lua): a warm-up, then the measured run, reading
# the server's CPU time from /proc/<pid>/stat around it and its RSS every 10 s. Prints one RESULT line (CPU ms per request,
# latency, load, memory). Item 4's memory run: USERS=200 WARMUP=240 DURATION=600 DATASET=evals/datasets/gutenberg.
#
#   evals/load/wrk-search.sh LABEL [Setting__Name=value ...]
#   e.g. for p in 1 2 3; do evals/load/wrk-search.sh fp32 Embeddings__Local__Precision=fp32; evals/load/wrk-search.sh int8 Embeddings__Local__Precision=int8; done
#
# Build first: dotnet build -c Release src/Api && dotnet build -c Release evals. Env: PORT (5391), USERS (100),
# WARMUP (8 s), DURATION (35 s), STUDENTS (20), DATASET (evals/datasets/pedagogy), MODE (hybrid), WRK_PATH (/api/search;
# /api/chat/query measures the assistant), REPEAT (0: every question distinct; N: users draw from the same N questions,
# the repeated-question scenario), THINK_JITTER (0: think exactly 1 s; J: 1000 ± J ms).
# Compare only runs made back to back on the same build: on a shared machine absolute figures drift, ratios hold.
set -euo pipefail
label=${1:?label}; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
dll=${API_DLL:-$root/src/Api/bin/Release/net10.0/TeacherPlatform.Api.dll}
evals=${EVALS_DLL:-$root/evals/bin/Release/net10.0/TeacherPlatform.Evals.dll}
port=${PORT:-5391}; users=${USERS:-100}; warm=${WARMUP:-8}; duration=${DURATION:-35}; students=${STUDENTS:-20}
dataset=${DATASET:-$root/evals/datasets/pedagogy}
url=http://127.0.0.1:$port
data=$(mktemp -d /tmp/tp-wrk-XXXXXX)

env Data__Directory="$data" RateLimiting__Enabled=false ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning "$@" dotnet "$dll" --urls "$url" > "$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -sf "$url/api/health" > /dev/null 2>&1 && break; sleep 1; done
curl -sf "$url/api/health" > /dev/null || { echo "server did not start"; tail -20 "$data/server.log"; exit 1; }

dotnet "$evals" load --base-url "$url" --dataset "$dataset" --results "$data/results" > "$data/load.log" 2>&1 \
    || { echo "load failed"; tail -20 "$data/load.log"; exit 1; }
for i in $(seq 1 "$students"); do
  curl -sf -X POST "$url/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"wrk-student-$i@example.com\",\"password\":\"wrk-password-$i\",\"display_name\":\"Student $i\",\"role\":\"student\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
done > "$data/tokens.txt"

export WRK_TOKENS="$data/tokens.txt" WRK_MODE=${MODE:-hybrid} WRK_PATH=${WRK_PATH:-/api/search} WRK_REPEAT=${REPEAT:-0} WRK_THINK_JITTER=${THINK_JITTER:-0}
wrk -t2 -c"$users" -d"${warm}s" -s "$root/evals/load/wrk-search.lua" "$url" > /dev/null
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
load_before=$(cut -d' ' -f1 /proc/loadavg)
t0=$(ticks)
# Resident memory every 10 s of the measured run (issue 11 item 4: flat after warm-up).
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status"; sleep 10; done ) > "$data/rss.txt" 2>/dev/null &
sampler=$!
out=$(wrk -t2 -c"$users" -d"${duration}s" --timeout 10s -s "$root/evals/load/wrk-search.lua" "$url")
t1=$(ticks)
kill "$sampler" 2>/dev/null || true
rss=$(python3 -c "
v=[int(x)/1024 for x in open('$data/rss.txt').read().split()]
s=sorted(v); n=len(s)
print(f'rss_start_mb={v[0]:.0f} rss_end_mb={v[-1]:.0f} rss_p5_p95_mb={s[int(n*.05)]:.0f}-{s[min(n-1,int(n*.95))]:.0f} rss_min_max_mb={s[0]:.0f}-{s[-1]:.0f} rss_samples={n}')")
load_after=$(cut -d' ' -f1 /proc/loadavg)
grep "^FIRST-ERROR" <<< "$out" | head -1 || true
line=$(grep '^RESULT' <<< "$out")
requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$line")
hz=$(getconf CLK_TCK)
cpu=$(python3 -c "print(f'{($t1 - $t0) / $hz * 1000 / $requests:.2f}')")
rps=$(python3 -c "import re; d=float(re.search(r'duration_s=([0-9.]+)', '''$line''').group(1)); print(f'{$requests / d:.1f}')")
echo "RESULT label=$label cpu_ms_per_request=$cpu ${line#RESULT } req_per_s=$rps load_before=$load_before load_after=$load_after $rss settings=$*"
