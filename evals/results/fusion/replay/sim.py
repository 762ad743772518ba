import json, math, sys
def load(ds): return json.load(open(f"/tmp/fusion/base-{ds}.json"))
def locs(q):
    out=[]
    for r in q["relevant"]:
        ps=r.get("pages") or []; ss=r.get("start_seconds") or []
        for p in ps: out.append((r["doc"],p,None))
        for s in ss: out.append((r["doc"],None,s))
        if not ps and not ss: out.append((r["doc"],None,None))
    return out
def match(h,d,p,s):
    if h["doc"]!=d: return False
    if s is not None: return h["start"] is not None and abs(h["start"]-s)<=90
    if p is not None: return h["page"]<=p<=max(h["pageEnd"],h["page"])
    return True
def groups(q, ranked):
    L=locs(q); na=q["kind"]=="multi_page"; g=[]
    for h in ranked:
        gi=-1
        for i,(d,p,s) in enumerate(L):
            if match(h,d,p,s): gi = i if na else 0; break
        g.append(gi)
    return g, (len(L) if na else 1)
def metrics(q, ranked):
    g,n=groups(q,ranked)
    r5=len({x for x in g[:5] if x>=0})/n; r10=len({x for x in g[:10] if x>=0})/n
    mrr=next((1/(i+1) for i,x in enumerate(g[:10]) if x>=0),0)
    return r5,r10,mrr
def evaluate(data, fuse, ids=None):
    rows=[q for q in data if q["kind"]!="uncovered" and q["relevant"] and (ids is None or q["id"] in ids)]
    m=[metrics(q, fuse(q)) for q in rows]
    return tuple(round(sum(x[i] for x in m)/len(m),4) for i in range(3))
def seqkey(x): return (x["doc"] or "", x["page"], x["start"] or 0)
def fuse_scores(q, sv, sk, top=10):
    """sv, sk: functions (index, hit) -> contribution; returns fused top list, ties by (doc,page)."""
    s={};h={}
    for i,x in enumerate(q["vector"]):
        c=sv(i,x,q)
        if c is None: continue
        s[x["chunk"]]=s.get(x["chunk"],0)+c; h[x["chunk"]]=x
    for i,x in enumerate(q["keyword"]):
        c=sk(i,x,q)
        if c is None: continue
        s[x["chunk"]]=s.get(x["chunk"],0)+c; h[x["chunk"]]=x
    return [h[c] for c in sorted(s,key=lambda c:(-round(s[c],12),seqkey(h[c])))][:top]
def rrf(k=40,wv=1,wk=1):
    return lambda q: fuse_scores(q, lambda i,x,q: wv/(k+i+1), lambda i,x,q: wk/(k+i+1))
