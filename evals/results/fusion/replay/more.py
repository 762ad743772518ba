from sweep import *
from halves import ids
import re
for a in [0.55,0.6,0.65]:
    c=ids(G,True)|ids(P,True)
    print("pooled odd", a, evaluate(G,rsf(a),ids(G,True)), evaluate(P,rsf(a),ids(P,True)))
for depth in [20,30,40]:
    for a in [0.6,0.65]: show(f"rsf a={a} depth {depth}", rsf(a,depth))
# adaptive RRF: keyword weight grows with informative terms
STOP=set("a an the and or but if of to in on at by for with about as is are was were be been being do does did have has had i me my we our you your he she it they them this that these those what which who whom how why when where can could should would will shall may might must not no so than too very just also there their its his her into from up down out over under again more most some any all each both few other such only own same then once here s t don now".split())
def nterms(q): return len({w for w in re.findall(r"[a-z0-9']+", q["question"].lower()) if w not in STOP and len(w)>1})
import statistics
print("terms G", statistics.mean(nterms(q) for q in G), "P", statistics.mean(nterms(q) for q in P))
for T in [8,12,16]:
    for lo,hi in [(0.5,1.5),(0.75,1.5),(1,2)]:
        def f(q,T=T,lo=lo,hi=hi):
            w=lo+(hi-lo)*min(1,nterms(q)/T)
            return fuse_scores(q, lambda i,x,q:1/(41+i), lambda i,x,q:w/(41+i))
        show(f"rrf kw weight {lo}->{hi} at {T} terms", f)
for T in [10,15,20]:
    for lo,hi in [(0.45,0.7),(0.5,0.7),(0.55,0.7)]:
        def f(q,T=T,lo=lo,hi=hi):
            a=lo+(hi-lo)*min(1,nterms(q)/T); return rsf(a)(q)
        show(f"rsf alpha {lo}->{hi} at {T} terms", f)
