import json, sys, urllib.request
base, ds, docmap, out = sys.argv[1:5]
def post(path, body, tok=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + tok} if tok else {})})
    try:
        with urllib.request.urlopen(req) as r: return json.load(r)
    except urllib.error.HTTPError as e:
        return {"_status": e.code}
email, pw = "evals-student-0@example.com", "Evals-Pass-2025!x"
r = post("/api/auth/register", {"email": email, "password": pw, "display_name": "Evals Student 0", "role": "student"})
if "access_token" not in r: r = post("/api/auth/login", {"email": email, "password": pw})
tok = r["access_token"]
qs = [json.loads(l) for l in open(f"evals/datasets/{ds}/questions.jsonl") if l.strip()]
dm = {d["server_id"]: d["manifest_id"] for d in json.load(open(docmap))["documents"]}
res = []
for q in qs:
    row = {"id": q["id"], "kind": q["kind"], "question": q["question"], "relevant": q["relevant"]}
    for mode, k in (("vector", 50), ("keyword", 50), ("hybrid", 10)):
        rr = post("/api/search", {"query": q["question"], "top_k": k, "mode": mode}, tok)
        row[mode] = [{"chunk": h["chunk_id"], "doc": dm.get(h["document_id"]), "page": h["page_number"], "pageEnd": h["page_end"],
                      "start": h.get("start_seconds"), "score": h["score"]} for h in rr["results"]]
    res.append(row)
json.dump(res, open(out, "w"))
print(len(res), "questions dumped")
