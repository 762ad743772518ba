#!/usr/bin/env python3
"""Build manifest.jsonl and questions.jsonl from the corpus and a question source file.

Question source (evals/datasets/<set>/sources/questions.txt), blocks separated by blank lines:

    Q: question text
    K: direct|paraphrase|multi_page|uncovered
    E: d03 | exact evidence phrase from the document
    E: d07 | another phrase (another page or document)
    A: short reference answer

Every E line is located in the document text: for a PDF the page whose source
text contains the phrase (it must be on exactly one page), for HTML page 1 (the
<article>/<main> text), for WebVTT the start time of the cue where the phrase
begins. A phrase that is not found stops the build, so every covered question is
checked against the text it cites. Uncovered questions have no E and no A.

Usage: python3 evals/datasets/tools/build_questions.py [set ...]   (default: pedagogy tiny)
"""
import html
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_pdfs  # noqa: E402
import make_vtt   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STOP = set("""a an the and or of to in on at for with is are was be do does did i my me you your it its
this that how what why when which who should can could would will if as by from so not no than then into
about there their they we our us am have has had get any some more most very just too up out""".split())


def norm(s):
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def html_main_text(path):
    raw = open(path, encoding="utf-8").read()
    m = re.search(r"<article\b.*?</article>", raw, re.S) or re.search(r"<main\b.*?</main>", raw, re.S)
    body = m.group(0)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def load_docs(set_dir):
    """Return {id: dict(file, title, type, pages=[text...] or cues=[(start,text)])}."""
    docs = {}
    for fn in sorted(os.listdir(os.path.join(set_dir, "docs"))):
        m = re.match(r"(d\d+)-", fn)
        if not m:
            continue
        did, path = m.group(1), os.path.join(set_dir, "docs", fn)
        if fn.endswith(".pdf"):
            title, pages = make_pdfs.parse_source(os.path.join(set_dir, "sources", fn[:-4] + ".md"))
            texts = []
            for i, blocks in enumerate(pages):
                t = " ".join(x for _, x in blocks)
                texts.append((title + " " + t) if i == 0 else t)
            docs[did] = dict(file="docs/" + fn, title=title, type="pdf", pages=texts)
        elif fn.endswith(".html"):
            raw = open(path, encoding="utf-8").read()
            title = html.unescape(re.search(r"<h1>(.*?)</h1>", raw, re.S).group(1))
            docs[did] = dict(file="docs/" + fn, title=title, type="web", pages=[html_main_text(path)])
        elif fn.endswith(".vtt"):
            src = os.path.join(set_dir, "sources", "transcripts", fn[:-4] + ".txt")
            title, _, _ = make_vtt.parse(src)
            cl = make_vtt.cues(src)
            docs[did] = dict(file="docs/" + fn, title=title, type="video", cues=cl,
                             segments=len(make_vtt.segments(cl)))
    return docs


def locate(doc, phrase):
    p = norm(phrase)
    if doc["type"] in ("pdf", "web"):
        hits = [i + 1 for i, t in enumerate(doc["pages"]) if p in norm(t)]
        if len(hits) != 1:
            raise SystemExit("evidence %r found on pages %s of %s (need exactly one)" % (phrase, hits, doc["file"]))
        return ("pages", hits[0])
    # transcript: concatenate cue texts, remember offsets
    full, offs = "", []
    for a, _, _, text in doc["cues"]:
        offs.append((len(full), a))
        full += norm(text) + " "
    idx = full.find(p)
    if idx < 0 or full.find(p, idx + 1) >= 0:
        raise SystemExit("evidence %r not found exactly once in %s" % (phrase, doc["file"]))
    start = [a for o, a in offs if o <= idx][-1]
    return ("start_seconds", float(start))


def content_words(s):
    return {w for w in re.findall(r"[a-z0-9']+", s.lower()) if w not in STOP and len(w) > 2}


def parse_questions(path):
    blocks, cur = [], {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur = {}
            continue
        if line.startswith("#"):
            continue
        key, _, val = line.partition(":")
        val = val.strip()
        if key == "E":
            did, _, ph = val.partition("|")
            cur.setdefault("E", []).append((did.strip(), ph.strip()))
        elif key in ("Q", "K", "A"):
            cur[key] = val
        else:
            raise SystemExit("bad line in %s: %s" % (path, line))
    if cur:
        blocks.append(cur)
    return blocks


def build(name):
    set_dir = os.path.join(ROOT, name)
    docs = load_docs(set_dir)
    with open(os.path.join(set_dir, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for did, d in docs.items():
            pages = len(d["pages"]) if d["type"] != "video" else d["segments"]
            f.write(json.dumps({"id": did, "file": d["file"], "title": d["title"], "source_type": d["type"],
                                "is_public": True, "pages": pages}, ensure_ascii=False) + "\n")
    qs = parse_questions(os.path.join(set_dir, "sources", "questions.txt"))
    out, overlaps = [], []
    for n, q in enumerate(qs, 1):
        kind = q.get("K")
        if kind not in ("direct", "paraphrase", "multi_page", "uncovered"):
            raise SystemExit("question %d: bad kind %r" % (n, kind))
        rel = {}
        ev_text = ""
        for did, ph in q.get("E", []):
            if did not in docs:
                raise SystemExit("question %d: unknown doc %s" % (n, did))
            key, val = locate(docs[did], ph)
            r = rel.setdefault(did, {"doc": did, key: []})
            if val not in r[key]:
                r[key].append(val)
            d = docs[did]
            ev_text += " " + (d["pages"][val - 1] if key == "pages" else ph)
        for r in rel.values():
            for k in ("pages", "start_seconds"):
                if k in r:
                    r[k].sort()
        relevant = list(rel.values())
        if kind == "uncovered":
            if relevant or q.get("A"):
                raise SystemExit("question %d: uncovered questions take no evidence and no answer" % n)
        else:
            if not relevant or not q.get("A"):
                raise SystemExit("question %d: covered question needs evidence and an answer" % n)
        if kind == "multi_page":
            locs = sum(len(r.get("pages", r.get("start_seconds", []))) for r in relevant)
            if locs < 2:
                raise SystemExit("question %d: multi_page needs two pages or documents" % n)
        if kind == "paraphrase":
            cw = content_words(q["Q"])
            shared = cw & content_words(ev_text)
            overlaps.append((len(shared) / max(1, len(cw)), n, sorted(shared)))
        out.append({"id": "q%03d" % n, "question": q["Q"], "relevant": relevant,
                    "answer": q.get("A", ""), "kind": kind})
    with open(os.path.join(set_dir, "questions.jsonl"), "w", encoding="utf-8") as f:
        for o in out:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    kinds = {}
    for o in out:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    print("%s: %d docs, %d questions %s" % (name, len(docs), len(out), kinds))
    if overlaps:
        avg = sum(o[0] for o in overlaps) / len(overlaps)
        print("  paraphrase: mean share of question content words found on the cited page(s): %.2f" % avg)
        for r, n, sh in sorted(overlaps, reverse=True)[:5]:
            print("    q%03d %.2f %s" % (n, r, sh))


if __name__ == "__main__":
    for s in sys.argv[1:] or ["pedagogy", "tiny"]:
        build(s)
