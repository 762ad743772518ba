#!/usr/bin/env python3
"""One client, sequential requests: the service's own latency without queueing (no load generator contention).

Usage: python3 evals/load/sequential_latency.py http://127.0.0.1:5000
Needs a running instance with the pedagogy corpus loaded (`dotnet run --project src/Api -- ingest evals/datasets/pedagogy/docs --public`).
Registers a throw-away student account, then times /api/search and /api/chat/query (JSON and SSE) with distinct and
repeated questions from evals/datasets/pedagogy/questions.jsonl. Standard library only.
"""
import json, os, sys, time, uuid, urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
root = os.path.dirname(os.path.abspath(__file__))
questions = [json.loads(l)["question"] for l in open(os.path.join(root, "..", "datasets", "pedagogy", "questions.jsonl"))]

def post(path, body, token=None, sse=False):
    headers = {"content-type": "application/json"}
    if token: headers["authorization"] = "Bearer " + token
    if sse: headers["accept"] = "text/event-stream"
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers)
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        if not sse:
            data = json.load(r)
            return (time.perf_counter() - start) * 1000, data
        first = None
        for line in r:
            if first is None and line.startswith(b"event: sources"): first = (time.perf_counter() - start) * 1000
        return first, (time.perf_counter() - start) * 1000

token = post("/api/auth/register", {"email": f"latency-{uuid.uuid4().hex}@example.com", "password": "Latency-Check-7",
                                     "display_name": "latency", "role": "student"})[1]["access_token"]

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]

def report(name, xs):
    print(f"{name:34} n={len(xs):3} p50 {pct(xs, .5):7.2f} ms  p95 {pct(xs, .95):7.2f} ms")

for q in questions[:5]: post("/api/search", {"query": q}, token)  # warm up
report("search distinct (hybrid, k=8)", [post("/api/search", {"query": f"{q} #{i}"}, token)[0] for i, q in enumerate(questions[5:105])])
report("search repeated", [post("/api/search", {"query": questions[5]}, token)[0] for _ in range(100)])
report("chat JSON distinct", [post("/api/chat/query", {"query": q + " please"}, token)[0] for q in questions[105:185]])
report("chat JSON repeated", [post("/api/chat/query", {"query": questions[105] + " please"}, token)[0] for _ in range(100)])
sse = [post("/api/chat/query", {"query": q + " thanks"}, token, sse=True) for q in questions[185:255]]
report("SSE time to sources (distinct)", [a for a, _ in sse])
report("SSE time to done (distinct)", [b for _, b in sse])
