#!/usr/bin/env python3
"""Render the `gutenberg` dataset: Project Gutenberg plain text -> book-like PDFs, then questions.

Sources (evals/datasets/gutenberg/sources/):
  g01-tapper.txt, g02-shedlock.txt,
  g03-wieck.txt                      text as in the Gutenberg files (hard-wrapped lines, blank line between
                                     paragraphs, `_italics_`), front matter, footnote markers and licence removed
  questions.txt                      questions with evidence phrases (format below)

Layout, unlike the team's own corpus, follows a small printed book so that pages are not topics: 4.5 x 7 in
pages, text flows across pages (paragraphs and sentences break at page ends), each chapter starts a new page,
a title page, running heads (book title on even pages, chapter title on odd ones) and a bare page number at
the foot, which are the page furniture an answer must not quote. Fonts: Helvetica/Helvetica-Bold (standard
Type1, WinAnsi), widths from make_pdfs.py, so the output is deterministic and PdfPig extracts it.

questions.txt:
    Q: question text                                   one question
    K: direct | paraphrase | multi_page | uncovered    its kind
    E: g01 | exact phrase from the book                one or more evidence phrases (not for uncovered)
    A: short reference answer                          (not for uncovered)
  blank line between questions. Each phrase must occur on exactly one page of its book (whitespace and case
  folded); its page becomes a gold page, so every gold page really holds the supporting text.

Usage: python3 evals/datasets/tools/make_gutenberg.py [--pages-dump DIR]
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pdfs import build_pdf, pdf_string, text_width, wrap  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gutenberg")
BOOKS = [
    ("g01", "g01-tapper.txt", "docs/g01-tapper-music-talks-with-children.pdf",
     "Music Talks with Children", "Thomas Tapper", "Theodore Presser, Philadelphia, 1898",
     "Project Gutenberg eBook #14339"),
    ("g02", "g02-shedlock.txt", "docs/g02-shedlock-the-pianoforte-sonata.pdf",
     "The Pianoforte Sonata: Its Origin and Development", "J. S. Shedlock", "Methuen & Co., London, 1895",
     "Project Gutenberg eBook #17074"),
    ("g03", "g03-wieck.txt", "docs/g03-wieck-piano-and-song.pdf",
     "Piano and Song", "Friedrich Wieck",
     "Translated by Mary P. Nichols; Lockwood, Brooks, & Co., Boston, 1875", "Project Gutenberg eBook #16658"),
]

PAGE_W, PAGE_H = 324, 504
MARGIN_X, TOP, BOTTOM = 40, 450, 52
SIZE, LEAD = 11.0, 14.5
HEAD_SIZE = 12.5
WIDTH = PAGE_W - 2 * MARGIN_X

# A few pages of each book as small PDFs for the API tests (tests/TeacherPlatform.Tests/Chat/Fixtures): the pages on
# finger exercises, the hands, practice, lessons, listening, the scale and showy pieces, and one on Scarlatti; Wieck's
# pages on the weak fourth finger, hand position and the thumb in scales, legato and staccato practice, the finger drill.
EXCERPTS = {"g01": [10, 24, 26, 31, 57, 63, 64, 98, 99], "g02": [18, 19], "g03": [13, 28, 29, 42, 73, 86]}
EXCERPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(ROOT))), "tests", "TeacherPlatform.Tests", "Chat", "Fixtures")


def parse_book(path):
    """Blocks: ('chapter', number_line, title), ('p', text), ('q', [lines]) for indented/verse lines."""
    with open(path, encoding="utf-8") as f:
        text = f.read().replace("_", "")
    paras = re.split(r"\n\s*\n", text.strip("\n"))
    blocks, i = [], 0
    while i < len(paras):
        p = paras[i].rstrip()
        first = p.strip()
        if re.fullmatch(r"CHAPTER [IVXL]+\.?", first) and i + 1 < len(paras):
            blocks.append(("chapter", first, paras[i + 1].strip()))
            i += 2
            continue
        if first == "PREFACE":
            blocks.append(("chapter", "", "PREFACE"))
            i += 1
            continue
        lines = p.split("\n")
        if lines[0].startswith(" ") or first.startswith("[Music"):
            blocks.append(("q", [l.strip() for l in lines if l.strip()]))
        else:
            blocks.append(("p", " ".join(l.strip() for l in lines)))
        i += 1
    return blocks


def layout(blocks, wrap_heads=False):
    """Flow blocks into pages: list of (chapter_title, [(kind, text)]) where kind is body/head/quote.

    wrap_heads: break chapter titles wider than the text column over several lines (make_heldout.py)."""
    pages, cur, y, chapter = [], [], TOP, ""

    def new_page():
        nonlocal cur, y
        if cur:
            pages.append((chapter, cur))
        cur, y = [], TOP

    for b in blocks:
        if b[0] == "chapter":
            new_page()
            chapter = b[2].rstrip(".").title() if b[2] else chapter
            y -= 40
            if b[1]:
                cur.append(("head", b[1], y)); y -= HEAD_SIZE + 8
            if wrap_heads:
                for t in wrap(b[2], True, HEAD_SIZE, WIDTH):
                    cur.append(("head", t, y)); y -= HEAD_SIZE + 4
                y -= 14
            else:
                cur.append(("head", b[2], y)); y -= HEAD_SIZE + 18
            continue
        lines = wrap(b[1], False, SIZE, WIDTH) if b[0] == "p" else [
            w for l in b[1] for w in wrap(l, False, SIZE - 1, WIDTH - 16)]
        kind = "body" if b[0] == "p" else "quote"
        for ln in lines:
            if y < BOTTOM + LEAD:
                new_page()
            cur.append((kind, ln, y))
            y -= LEAD
        y -= 5
    new_page()
    return pages


def render(book, pages):
    gid, _, _, title, author, imprint, ebook = book
    streams, texts = [], []

    def op(txt, font, size, x, y):
        return b"BT /%s %.1f Tf %.2f %.2f Td %s Tj ET" % (font.encode(), size, x, y, pdf_string(txt + " "))

    # Title page.
    ops, y = [], 380
    for t in wrap(title.upper(), True, 15, WIDTH):
        ops.append(op(t, "F2", 15, PAGE_W / 2 - text_width(t, True, 15) / 2, y)); y -= 22
    y -= 20
    for t in ["BY", author.upper(), "", imprint, "", "Public domain text from " + ebook + "."]:
        if t:
            ops.append(op(t, "F1", 9.5, PAGE_W / 2 - text_width(t, False, 9.5) / 2, y))
        y -= 16
    streams.append(b"\n".join(ops) + b"\n")
    texts.append(" ".join([title.upper(), "BY", author.upper(), imprint, "Public domain text from " + ebook + "."]))

    for n, (chapter, lines) in enumerate(pages, start=2):
        ops, words = [], []
        head = title.upper() if n % 2 == 0 else chapter.upper()
        if not any(k == "head" for k, _, _ in lines):
            ops.append(op(head, "F1", 7.5, PAGE_W / 2 - text_width(head, False, 7.5) / 2, PAGE_H - 34))
            words.append(head)
        for kind, txt, y in lines:
            if kind == "head":
                ops.append(op(txt, "F2", HEAD_SIZE, PAGE_W / 2 - text_width(txt, True, HEAD_SIZE) / 2, y))
            elif kind == "quote":
                ops.append(op(txt, "F1", SIZE - 1, MARGIN_X + 16, y))
            else:
                ops.append(op(txt, "F1", SIZE, MARGIN_X, y))
            words.append(txt)
        ops.append(op(str(n), "F1", 8.5, PAGE_W / 2 - 4, 30))
        words.append(str(n))
        streams.append(b"\n".join(ops) + b"\n")
        texts.append(" ".join(words))
    return finish(title, author, streams), texts, streams


def finish(title, author, streams):
    return build_pdf(title, streams).replace(
        b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 %d %d]" % (PAGE_W, PAGE_H)).replace(
        b"/Author (TeacherPlatform eval corpus) /Producer (make_pdfs.py)",
        b"/Author %s /Producer (make_gutenberg.py)" % pdf_string(author))


def norm(s):
    return re.sub(r"\s+", " ", s.replace("\u2019", "'")).strip().lower()


def build_questions(page_texts, root=ROOT, prefix="r"):
    with open(os.path.join(root, "sources", "questions.txt"), encoding="utf-8") as f:
        raw = f.read()
    out, errors = [], []
    for n, block in enumerate([b for b in re.split(r"\n\s*\n", raw) if b.strip()], start=1):
        q = {"id": "%s%03d" % (prefix, n), "question": "", "relevant": [], "answer": "", "kind": ""}
        found = {}
        for line in block.strip().split("\n"):
            tag, _, val = line.partition(":")
            val = val.strip()
            if tag == "Q": q["question"] = val
            elif tag == "K": q["kind"] = val
            elif tag == "A": q["answer"] = val
            elif tag == "E":
                doc, _, phrase = val.partition("|")
                doc, phrase = doc.strip(), norm(phrase)
                hits = [i + 1 for i, t in enumerate(page_texts[doc]) if phrase in norm(t)]
                if len(hits) != 1:
                    errors.append("%s: phrase %r found on pages %s of %s" % (q["id"], phrase, hits, doc))
                    continue
                found.setdefault(doc, set()).add(hits[0])
            elif line.strip():
                errors.append("%s: bad line %r" % (q["id"], line))
        if q["kind"] not in ("direct", "paraphrase", "multi_page", "uncovered"):
            errors.append("%s: bad kind %r" % (q["id"], q["kind"]))
        if (q["kind"] == "uncovered") != (not found):
            errors.append("%s: uncovered questions have no evidence, others need some" % q["id"])
        q["relevant"] = [{"doc": d, "pages": sorted(p)} for d, p in sorted(found.items())]
        out.append(q)
    if errors:
        raise SystemExit("\n".join(errors))
    with open(os.path.join(root, "questions.jsonl"), "w", encoding="utf-8") as f:
        for q in out:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    return out


def build(root, books, prefix="r", blocks_for=parse_book, paginate=layout, excerpts=None):
    """Render every book of `books` under `root` to PDF, write manifest.jsonl and questions.jsonl (ids `prefix`001...).

    blocks_for(path) parses a book's text, paginate(blocks) lays it out; make_heldout.py passes its own."""
    dump = sys.argv[sys.argv.index("--pages-dump") + 1] if "--pages-dump" in sys.argv else None
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    manifest, page_texts = [], {}
    for book in books:
        pdf, texts, streams = render(book, paginate(blocks_for(os.path.join(root, "sources", book[1]))))
        with open(os.path.join(root, book[2]), "wb") as f:
            f.write(pdf)
        if excerpts and book[0] in excerpts:
            os.makedirs(EXCERPT_DIR, exist_ok=True)
            with open(os.path.join(EXCERPT_DIR, book[0] + "-excerpt.pdf"), "wb") as f:
                f.write(finish(book[3] + " (excerpt)", book[4], [streams[i - 1] for i in excerpts[book[0]]]))
        page_texts[book[0]] = texts
        manifest.append({"id": book[0], "file": book[2], "title": book[3], "source_type": "pdf",
                         "is_public": True, "pages": len(texts)})
        if dump:
            os.makedirs(dump, exist_ok=True)
            with open(os.path.join(dump, book[0] + ".txt"), "w", encoding="utf-8") as f:
                for i, t in enumerate(texts, start=1):
                    f.write("=== %s p%d ===\n%s\n" % (book[0], i, t))
    with open(os.path.join(root, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    qs = build_questions(page_texts, root=root, prefix=prefix) \
        if os.path.exists(os.path.join(root, "sources", "questions.txt")) else []
    kinds = {}
    for q in qs:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    words = [len(q["question"].split()) for q in qs] or [0]
    print("pages: %d (%s); questions: %d %s; words per question: min %d, mean %.1f, max %d" % (
        sum(m["pages"] for m in manifest), ", ".join("%s=%d" % (m["id"], m["pages"]) for m in manifest), len(qs), kinds,
        min(words), sum(words) / len(words), max(words)))


def main():
    build(ROOT, BOOKS, excerpts=EXCERPTS)


if __name__ == "__main__":
    main()
