#!/bin/bash
# usage: dump.sh DATASET OUT.json [extra env...]
set -e
cd /work/wt-fusion
DS=$1; OUT=$2; shift 2
DATA=$(mktemp -d /tmp/fusion-data-XXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Data__Directory=$DATA RateLimiting__Enabled=false Rag__Confidence__ExposeEvidence=true "$@" \
  dotnet src/Api/bin/Release/net10.0/TeacherPlatform.Api.dll --urls http://127.0.0.1:$PORT > $DATA/server.log 2>&1 &
PID=$!
trap "kill $PID" EXIT
for i in $(seq 1 600); do curl -sf http://127.0.0.1:$PORT/api/health >/dev/null && break; sleep 0.3; done
dotnet evals/bin/Release/net10.0/TeacherPlatform.Evals.dll load --base-url http://127.0.0.1:$PORT --dataset evals/datasets/$DS --results /tmp/fusion/res-$DS | tail -3
python3 /tmp/fusion/dump.py http://127.0.0.1:$PORT $DS /tmp/fusion/res-$DS/docmap-$DS.json $OUT
