# Keyword statement cost at scale, every term vs selected terms (issue 10/11). Usage: python3 evals/results/keyword-cost-issue10.py DB QUESTIONS (run from the repo root, under the build lock).
# SQL cost of the keyword query at 100k chunks: full OR query (main) vs the selected terms (this branch).
# Mirrors KeywordQuery (stopwords read from the C# source) and SqliteKnowledgeIndex's statement (scope filter left out).
import re, sqlite3, sys, time, unicodedata, statistics
src = open('src/Ai/Plugins/Retrieval/KeywordQuery.cs').read()
block = src[src.index('Stopwords = new'):src.index('};', src.index('Stopwords = new'))]
stop = set(re.findall(r'"([a-z]+)"', block))
def words(q):
    out, cur = [], ''
    for ch in unicodedata.normalize('NFKC', q):
        if ch.isalnum(): cur += ch.lower()
        elif ch in "'’" and cur: continue
        else:
            if cur and len(cur) <= 64: out.append((cur, len(cur) > 1 and cur not in stop))
            cur = ''
    if cur and len(cur) <= 64: out.append((cur, len(cur) > 1 and cur not in stop))
    return out
def plan(q):
    w = words(q); terms = list(dict.fromkeys(t for t, c in w if c))[:32]
    ph = list(dict.fromkeys(f"{a} {b}" for (a, ca), (b, cb) in zip(w, w[1:]) if ca and cb and a != b))[:8]
    return terms, ph
db = sqlite3.connect(sys.argv[1]); N = db.execute('select count(*) from knowledge_chunks').fetchone()[0]
df = {}
def select(terms, ph, cap=16, frac=0.5):
    for t in terms:
        if t not in df: df[t] = db.execute('select count(*) from knowledge_chunks_fts where knowledge_chunks_fts match ?', (f'"{t}"',)).fetchone()[0]
    m = [t for t in terms if df[t] > 0]
    if not m: return terms, ph
    ch = set(sorted([t for t in m if df[t] <= frac * N], key=lambda t: df[t])[:cap]) or {min(m, key=lambda t: df[t])}
    return [t for t in terms if t in ch], [p for p in ph if all(x in ch for x in p.split(' '))]
SQL = '''SELECT c.seq, -bm25(knowledge_chunks_fts) FROM knowledge_chunks_fts JOIN knowledge_chunks c ON c.seq = knowledge_chunks_fts.rowid
         WHERE knowledge_chunks_fts MATCH ? ORDER BY bm25(knowledge_chunks_fts) LIMIT 50'''
qs = [l.strip() for l in open('evals/datasets/pedagogy/questions-long.txt') if l.strip()][:int(sys.argv[2])]
def run(expr):
    t = time.perf_counter(); rows = db.execute(SQL, (expr,)).fetchall(); return (time.perf_counter() - t) * 1000, rows
full, sel, nterms, kept, overlap, dfcost = [], [], [], [], [], []
for q in qs:
    terms, ph = plan(q)
    t0 = time.perf_counter(); st, sp = select(terms, ph); dfcost.append((time.perf_counter() - t0) * 1000)
    a, ra = run(' OR '.join(f'"{x}"' for x in terms + ph)); b, rb = run(' OR '.join(f'"{x}"' for x in st + sp))
    full.append(a); sel.append(b); nterms.append(len(terms)); kept.append(len(st))
    overlap.append(len({r[0] for r in ra[:10]} & {r[0] for r in rb[:10]}) / max(1, min(10, len(ra))))
p = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]
print(f"N={N} questions={len(qs)} mean words={statistics.mean(len(q.split()) for q in qs):.1f} terms mean {statistics.mean(nterms):.1f} kept mean {statistics.mean(kept):.1f}")
print(f"full OR : p50 {p(full,.5):.1f} ms p95 {p(full,.95):.1f} ms")
print(f"selected: p50 {p(sel,.5):.1f} ms p95 {p(sel,.95):.1f} ms")
print(f"df lookups (cold cache, all terms new): p50 {p(dfcost,.5):.1f} ms p95 {p(dfcost,.95):.1f} ms; top-10 overlap with full mean {statistics.mean(overlap):.3f}")
print("dropped as > half the corpus:", sorted({t for t in df if df[t] > 0.5 * N})[:40])
print("df fractions of kept terms (sample):", sorted(round(df[t] / N, 3) for t in list(df)[:30]))
for cap, frac in [(16, 0.1), (10, 0.5), (8, 0.5), (8, 0.1)]:
    ts = []; ov = []
    for q in qs:
        terms, ph = plan(q); st, sp = select(terms, ph, cap, frac)
        b, rb = run(' OR '.join(f'"{x}"' for x in st + sp)); ts.append(b)
        _, ra = run(' OR '.join(f'"{x}"' for x in terms + ph)) if False else (0, None)
    print(f"cap {cap} frac {frac}: p50 {p(ts,.5):.1f} ms p95 {p(ts,.95):.1f} ms")
