from sweep import *
from halves import ids
grid=[round(0.3+0.05*i,2) for i in range(11)]
res=[(a,evaluate(G,zfuse(a),ids(G,True))) for a in grid]
a=max(res,key=lambda t:t[1][0]+t[1][2])[0]
print("z chosen",a, "G",evaluate(G,zfuse(a)),"P",evaluate(P,zfuse(a)))
for N in [10,20,30]:
  res=[(a,evaluate(G,rsf(a,N),ids(G,True))) for a in grid]
  a=max(res,key=lambda t:t[1][0]+t[1][2])[0]
  print("rsf depth",N,"chosen",a,"G",evaluate(G,rsf(a,N)),"P",evaluate(P,rsf(a,N)))
