#!/usr/bin/env python3
"""Validate an eval dataset: manifest, documents and questions (standard library only).

Checks
- every manifest line has the expected fields; ids unique; every file exists;
- PDFs: structurally valid (header, every xref offset points at its object,
  startxref points at the xref table, trailer with /Root) and page count equals
  "pages"; if `pdftotext` is installed, each page's extracted text contains the
  opening words of the same page of its source, so page numbers are exact;
- PDFs and transcripts are in sync with their sources (regenerated in memory);
- HTML: has <article> or <main> plus the surrounding <nav>/<header>/<footer>;
- WebVTT: WEBVTT header, well-formed increasing cue timings, 3 to 8 minutes,
  segment count equals "pages";
- questions: unique ids, known kind, doc ids exist, pages within range,
  start_seconds within the transcript; uncovered questions have no relevant
  entries and an empty answer; covered ones have both;
- counts by kind and by document type, against the minimums of issue 5
  (pedagogy set only).

Usage: python3 evals/datasets/tools/validate.py [set ...]   (default: pedagogy tiny)
Exit code 1 on any error.
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_pdfs  # noqa: E402
import make_vtt   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("direct", "paraphrase", "multi_page", "uncovered")
MINIMUMS = {"pedagogy": dict(docs=32, pdf=14, pdf_multi=8, web=9, video=9, questions=160,
                             paraphrase=40, multi_page=15, uncovered=20)}


class Report:
    def __init__(self):
        self.errors = []

    def err(self, msg):
        self.errors.append(msg)
        print("  ERROR " + msg)


def pdf_structure(data, rep, name):
    """Return the page count after checking the xref table; None if broken."""
    if not data.startswith(b"%PDF-1."):
        rep.err("%s: missing %%PDF header" % name)
        return None
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if not m:
        rep.err("%s: no startxref/%%EOF at end" % name)
        return None
    xref = int(m.group(1))
    if data[xref:xref + 4] != b"xref":
        rep.err("%s: startxref does not point at the xref table" % name)
        return None
    hdr = re.match(rb"xref\s+0\s+(\d+)\s*\n", data[xref:])
    if not hdr:
        rep.err("%s: malformed xref header" % name)
        return None
    n = int(hdr.group(1))
    pos = xref + hdr.end()
    for oid in range(n):
        entry = data[pos + 20 * oid: pos + 20 * oid + 20]
        if len(entry) != 20 or not re.match(rb"\d{10} \d{5} [nf] ?\r?\n?", entry):
            rep.err("%s: bad xref entry %d" % (name, oid))
            return None
        if oid and entry[17:18] == b"n":
            off = int(entry[:10])
            if not data[off:].startswith(b"%d 0 obj" % oid):
                rep.err("%s: xref offset of object %d is wrong" % (name, oid))
                return None
    if not re.search(rb"trailer\s*<<[^>]*/Root \d+ 0 R", data):
        rep.err("%s: trailer without /Root" % name)
        return None
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    counts = re.findall(rb"/Type /Pages .*?/Count (\d+)", data)
    if not counts or int(counts[0]) != pages:
        rep.err("%s: /Count does not match the page objects" % name)
    return pages


def words(s):
    return re.findall(r"[a-z0-9]+", s.lower())


def check_pdf_text(path, src_path, rep, name):
    if not shutil.which("pdftotext"):
        return
    _, pages = make_pdfs.parse_source(src_path)
    for i, blocks in enumerate(pages, 1):
        out = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", path, "-"],
                             capture_output=True, text=True).stdout
        got = " ".join(words(out))
        text = " ".join(x for _, x in blocks)
        want = " ".join(words(text)[:12])
        tail = " ".join(words(text)[-8:])
        if want not in got or tail not in got:
            rep.err("%s: page %d text does not match its source page" % (name, i))


def check_set(name):
    rep = Report()
    set_dir = os.path.join(ROOT, name)
    print("== %s" % name)
    manifest = [json.loads(l) for l in open(os.path.join(set_dir, "manifest.jsonl"), encoding="utf-8") if l.strip()]
    docs, by_type, multi = {}, {"pdf": 0, "web": 0, "video": 0}, 0
    durations = {}
    for m in manifest:
        for k, t in (("id", str), ("file", str), ("title", str), ("source_type", str), ("is_public", bool), ("pages", int)):
            if not isinstance(m.get(k), t):
                rep.err("manifest %s: field %s missing or wrong type" % (m.get("id"), k))
        if m["id"] in docs:
            rep.err("manifest: duplicate id %s" % m["id"])
        docs[m["id"]] = m
        path = os.path.join(set_dir, m["file"])
        if not os.path.isfile(path):
            rep.err("%s: file %s does not exist" % (m["id"], m["file"]))
            continue
        st = m["source_type"]
        by_type[st] = by_type.get(st, 0) + 1
        base = os.path.basename(path)
        if st == "pdf":
            data = open(path, "rb").read()
            n = pdf_structure(data, rep, m["file"])
            if n is not None and n != m["pages"]:
                rep.err("%s: PDF has %d pages, manifest says %d" % (m["id"], n, m["pages"]))
            if 3 <= m["pages"] <= 6:
                multi += 1
            src = os.path.join(set_dir, "sources", base[:-4] + ".md")
            if not os.path.isfile(src):
                rep.err("%s: source %s missing" % (m["id"], src))
            else:
                title, pages = make_pdfs.parse_source(src)
                fresh = make_pdfs.build_pdf(title, [make_pdfs.layout_page(title, b, i + 1, len(pages), base)
                                                    for i, b in enumerate(pages)])
                if fresh != data:
                    rep.err("%s: PDF is out of date with its source; run make_pdfs.py" % m["id"])
                check_pdf_text(path, src, rep, m["file"])
        elif st == "web":
            raw = open(path, encoding="utf-8").read()
            if not re.search(r"<(article|main)\b", raw):
                rep.err("%s: no <article> or <main>" % m["id"])
            for tag in ("nav", "header", "footer"):
                if "<%s" % tag not in raw:
                    rep.err("%s: no <%s> (expected page chrome)" % (m["id"], tag))
            if m["pages"] != 1:
                rep.err("%s: HTML pages must be 1" % m["id"])
        elif st == "video":
            raw = open(path, encoding="utf-8").read()
            if not raw.startswith("WEBVTT"):
                rep.err("%s: missing WEBVTT header" % m["id"])
            times = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$", raw, re.M)
            prev = -1
            for t in times:
                a = int(t[0]) * 3600 + int(t[1]) * 60 + int(t[2]) + int(t[3]) / 1000
                b = int(t[4]) * 3600 + int(t[5]) * 60 + int(t[6]) + int(t[7]) / 1000
                if b <= a or a < prev:
                    rep.err("%s: bad cue timing near %.3f" % (m["id"], a))
                    break
                prev = a
            dur = prev if not times else b
            durations[m["id"]] = dur
            if name == "pedagogy" and not (180 <= dur <= 480):
                rep.err("%s: transcript lasts %.0f s, expected 3 to 8 minutes" % (m["id"], dur))
            src = os.path.join(set_dir, "sources", "transcripts", base[:-4] + ".txt")
            if os.path.isfile(src):
                if make_vtt.render(src) != raw:
                    rep.err("%s: VTT is out of date with its source; run make_vtt.py" % m["id"])
                segs = len(make_vtt.segments(make_vtt.cues(src)))
                if segs != m["pages"]:
                    rep.err("%s: %d segments, manifest says %d" % (m["id"], segs, m["pages"]))
        else:
            rep.err("%s: unknown source_type %s" % (m["id"], st))

    qs = [json.loads(l) for l in open(os.path.join(set_dir, "questions.jsonl"), encoding="utf-8") if l.strip()]
    kinds = {k: 0 for k in KINDS}
    seen = set()
    for q in qs:
        qid = q.get("id")
        if set(q) != {"id", "question", "relevant", "answer", "kind"}:
            rep.err("%s: unexpected fields %s" % (qid, sorted(q)))
        if qid in seen:
            rep.err("%s: duplicate id" % qid)
        seen.add(qid)
        kind = q.get("kind")
        if kind not in KINDS:
            rep.err("%s: bad kind %r" % (qid, kind))
            continue
        kinds[kind] += 1
        rel = q.get("relevant", [])
        if kind == "uncovered":
            if rel or q.get("answer"):
                rep.err("%s: uncovered question must have empty relevant and answer" % qid)
            continue
        if not rel or not q.get("answer", "").strip():
            rep.err("%s: covered question needs relevant and answer" % qid)
        locs = 0
        for r in rel:
            d = docs.get(r.get("doc"))
            if d is None:
                rep.err("%s: unknown doc %s" % (qid, r.get("doc")))
                continue
            if d["source_type"] == "video":
                ss = r.get("start_seconds")
                if not ss or "pages" in r:
                    rep.err("%s: transcript %s must be cited by start_seconds" % (qid, d["id"]))
                    continue
                for s in ss:
                    if not (0 <= s <= durations.get(d["id"], 1e9)):
                        rep.err("%s: start %.1f outside %s" % (qid, s, d["id"]))
                locs += len(ss)
            else:
                ps = r.get("pages")
                if not ps or "start_seconds" in r:
                    rep.err("%s: %s must be cited by pages" % (qid, d["id"]))
                    continue
                for p in ps:
                    if not (1 <= p <= d["pages"]):
                        rep.err("%s: page %d out of range for %s (%d pages)" % (qid, p, d["id"], d["pages"]))
                locs += len(ps)
        if kind == "multi_page" and locs < 2:
            rep.err("%s: multi_page question cites fewer than two pages/documents" % qid)

    print("  documents: %d (%s); PDFs with 3-6 pages: %d" % (
        len(manifest), ", ".join("%s %d" % kv for kv in by_type.items()), multi))
    print("  questions: %d (%s)" % (len(qs), ", ".join("%s %d" % kv for kv in kinds.items())))
    mins = MINIMUMS.get(name)
    if mins:
        have = dict(docs=len(manifest), pdf=by_type["pdf"], pdf_multi=multi, web=by_type["web"],
                    video=by_type["video"], questions=len(qs), **kinds)
        for k, v in mins.items():
            if have[k] < v:
                rep.err("minimum not met: %s = %d < %d" % (k, have[k], v))
    if not shutil.which("pdftotext"):
        print("  note: pdftotext not installed; per-page text check skipped")
    print("  %s" % ("OK" if not rep.errors else "%d error(s)" % len(rep.errors)))
    return not rep.errors


if __name__ == "__main__":
    ok = all([check_set(s) for s in (sys.argv[1:] or ["pedagogy", "tiny"])])
    sys.exit(0 if ok else 1)
