from sweep import *
from halves import ids
import sys
for a in [0.5,0.55,0.6,0.65,0.7]:
    g=evaluate(G,rsf(a),ids(G,True)); p=evaluate(P,rsf(a),ids(P,True))
    ng=len(ids(G,True)&{q["id"] for q in G if q["kind"]!="uncovered"}); np_=len(ids(P,True)&{q["id"] for q in P if q["kind"]!="uncovered"})
    pool=[(g[i]*ng+p[i]*np_)/(ng+np_) for i in range(3)]
    ge=evaluate(G,rsf(a),ids(G,False)); pe=evaluate(P,rsf(a),ids(P,False))
    print(a, "pooled odd R5/R10/MRR", [round(x,4) for x in pool], "sum", round(pool[0]+pool[2],4), "| even G", ge, "P", pe)
print("rrf even G", evaluate(G,rrf(),ids(G,False)), "P", evaluate(P,rrf(),ids(P,False)))
print("kw even G", evaluate(G,lambda q:q["keyword"][:10],ids(G,False)), "P", evaluate(P,lambda q:q["keyword"][:10],ids(P,False)))
print("vec even G", evaluate(G,lambda q:q["vector"][:10],ids(G,False)), "P", evaluate(P,lambda q:q["vector"][:10],ids(P,False)))
