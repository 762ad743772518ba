from sweep import *
def ids(d, odd): return {q["id"] for q in d if (int(q["id"][1:])%2==1)==odd}
grid=[round(0.3+0.05*i,2) for i in range(11)]
for name,D,O in [("gutenberg",G,P),("pedagogy",P,G)]:
    cal=ids(D,True); held=ids(D,False)
    res=[(a,evaluate(D,rsf(a),cal)) for a in grid]
    for a,m in res: print(name,"odd",a,m)
    best=max(res,key=lambda t:(t[1][0]+t[1][2]))  # R@5 + MRR@10 on calibration half
    a=best[0]
    print(f"chosen on {name} odd half: alpha={a}; {name} even: {evaluate(D,rsf(a),held)} vs rrf {evaluate(D,rrf(),held)}; other set: {evaluate(O,rsf(a))} vs rrf {evaluate(O,rrf())}")
