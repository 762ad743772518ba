from sim import *
G=load("gutenberg"); P=load("pedagogy")
TG=(0.9602,0.8669); TP=(0.9489,0.9745,0.8516)
def show(name,f):
    g=evaluate(G,f); p=evaluate(P,f)
    ok = g[0]>=TG[0]-1e-9 and g[2]>=TG[1]-1e-9 and p[0]>=TP[0]-0.005 and p[1]>=TP[1]-0.005 and p[2]>=TP[2]-0.005
    print(f"{name:40s} G {g[0]:.3f}/{g[1]:.3f}/{g[2]:.3f}  P {p[0]:.3f}/{p[1]:.3f}/{p[2]:.3f} {'PASS' if ok else ''}")
def mm(lst):
    if not lst: return lambda s:0
    hi=max(x["score"] for x in lst); lo=min(x["score"] for x in lst)
    return lambda s: (s-lo)/(hi-lo) if hi>lo else 1.0
def rsf(alpha, depth=50):
    def f(q):
        nv=mm(q["vector"][:depth]); nk=mm(q["keyword"][:depth])
        return fuse_scores(q, lambda i,x,q:(1-alpha)*nv(x["score"]) if i<depth else None, lambda i,x,q: alpha*nk(x["score"]) if i<depth else None)
    return f
import statistics as st
def zs(lst):
    sc=[x["score"] for x in lst]; m=st.mean(sc); sd=st.pstdev(sc) or 1
    return lambda s:(s-m)/sd
def zfuse(alpha, floor=None):
    def f(q):
        nv=zs(q["vector"]); nk=zs(q["keyword"])
        # missing-from-list: treat as list minimum z (added as baseline)
        mv=min(nv(x["score"]) for x in q["vector"]); mk=min(nk(x["score"]) for x in q["keyword"]) if q["keyword"] else 0
        s={};h={}
        for x in q["vector"]: h[x["chunk"]]=x
        for x in q["keyword"]: h[x["chunk"]]=x
        sv={x["chunk"]:nv(x["score"]) for x in q["vector"]}; sk={x["chunk"]:nk(x["score"]) for x in q["keyword"]}
        for c in h: s[c]=(1-alpha)*sv.get(c,mv)+alpha*sk.get(c,mk)
        return [h[c] for c in sorted(s,key=lambda c:(-s[c],seqkey(h[c])))][:10]
    return f
show("rrf k40", rrf())
for a in [0.3,0.4,0.5,0.55,0.6,0.65,0.7,0.8]: show(f"rsf minmax a={a}", rsf(a))
for a in [0.3,0.4,0.5,0.55,0.6,0.65,0.7]: show(f"zscore a={a}", zfuse(a))
for N in [5,10,15,20,30]:
    show(f"rrf vec depth {N}", lambda q,N=N: fuse_scores(q, lambda i,x,q: 1/(41+i) if i<N else None, lambda i,x,q: 1/(41+i)))
for N in [10,20,30]:
    show(f"rrf kw depth {N}", lambda q,N=N: fuse_scores(q, lambda i,x,q: 1/(41+i), lambda i,x,q: 1/(41+i) if i<N else None))
show("rrf tie->keyword", lambda q: fuse_scores(q, lambda i,x,q: 1/(41+i), lambda i,x,q: 1.000001/(41+i)))
