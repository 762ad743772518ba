#!/usr/bin/env bash
# Search latency while another teacher's upload is being ingested (issue 11): a fresh Release API on the gutenberg
# corpus, 30 users (distinct real-length questions, 1 s ± 0.5 s think, see wrk-search.lua) for 25 s idle, then 25 s
# while the heldout book and the three gutenberg books are uploaded again and embedded. Prints two RESULT lines.
#   evals/load/search-while-ingesting.sh LABEL [Setting__Name=value ...]
# Build first: dotnet build -c Release src/Api && dotnet build -c Release evals.
set -uo pipefail
label=${1:?label}; shift
root=$(cd "$(dirname "$0")/../.." && pwd); port=5397; url=http://127.0.0.1:$port
data=$(mktemp -d /tmp/tp-il-XXXXXX)
env Data__Directory="$data" RateLimiting__Enabled=false Logging__LogLevel__Default=Warning "$@" dotnet $root/src/Api/bin/Release/net10.0/TeacherPlatform.Api.dll --urls $url > $data/server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf $data' EXIT
for _ in $(seq 120); do curl -sf $url/api/health >/dev/null 2>&1 && break; sleep 1; done
dotnet $root/evals/bin/Release/net10.0/TeacherPlatform.Evals.dll load --base-url $url/ --dataset $root/evals/datasets/gutenberg --results $data/r1 > /dev/null 2>&1
for i in $(seq 1 20); do curl -sf -X POST $url/api/auth/register -H 'Content-Type: application/json' -d "{\"email\":\"s$i@example.com\",\"password\":\"wrk-password-$i\",\"display_name\":\"S$i\",\"role\":\"student\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; done > $data/tokens.txt
export WRK_TOKENS=$data/tokens.txt WRK_MODE=hybrid WRK_PATH=/api/search WRK_REPEAT=0 WRK_THINK_JITTER=500
cd $root
wrk -t2 -c30 -d8s -s evals/load/wrk-search.lua $url > /dev/null
echo "$label idle:   $(wrk -t2 -c30 -d25s --timeout 10s -s evals/load/wrk-search.lua $url | grep ^RESULT)"
# Another teacher uploads the three books again while students search.
( dotnet $root/evals/bin/Release/net10.0/TeacherPlatform.Evals.dll load --base-url $url/ --dataset $root/evals/datasets/heldout --results $data/r2 > $data/load2.log 2>&1; dotnet $root/evals/bin/Release/net10.0/TeacherPlatform.Evals.dll load --base-url $url/ --dataset $root/evals/datasets/gutenberg --force --results $data/r3 > $data/load3.log 2>&1 ) &
lp=$!
sleep 2
echo "$label ingest: $(wrk -t2 -c30 -d25s --timeout 10s -s evals/load/wrk-search.lua $url | grep ^RESULT)"
wait $lp
