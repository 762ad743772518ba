#!/usr/bin/env python3
"""Generate the corpus PDFs from Markdown-ish sources (standard library only).

Source format (evals/datasets/<set>/sources/<name>.md):

    # Document title                 <- first line, printed large on page 1
    === page ===                     <- starts a new PDF page (first one optional)
    ## Section heading               <- bold heading line
    Paragraph text ...               <- paragraphs separated by blank lines
    - bullet item                    <- bullet lines

Each "=== page ===" block becomes exactly one PDF page; the script fails if a
block does not fit on one page, so page numbers in questions.jsonl stay exact.

The writer is a minimal hand-written PDF 1.4 writer: Helvetica and
Helvetica-Bold (standard Type1 fonts, WinAnsiEncoding), text wrapped by the
real Helvetica glyph widths, ( ) \\ escaped, one page object per page,
uncompressed content streams, exact xref offsets and trailer.

Usage: python3 evals/datasets/tools/make_pdfs.py [set ...]   (default: pedagogy tiny)
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Helvetica AFM widths (1/1000 em) for ASCII 32..126.
_HELV = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
         556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
         1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
         667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
         333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
         556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
# Helvetica-Bold AFM widths for ASCII 32..126.
_HELVB = [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
          556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
          975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
          667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
          333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
          611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584]

PAGE_W, PAGE_H = 612, 792          # US Letter
MARGIN_X, TOP, BOTTOM = 64, 740, 64
BODY_SIZE, BODY_LEAD = 10.5, 14.0
HEAD_SIZE, TITLE_SIZE = 12.5, 17


def text_width(s, bold, size):
    table = _HELVB if bold else _HELV
    total = 0
    for ch in s:
        o = ord(ch)
        total += table[o - 32] if 32 <= o <= 126 else 556
    return total * size / 1000.0


def wrap(text, bold, size, width):
    words, lines, cur = text.split(), [], ""
    for w in words:
        cand = w if not cur else cur + " " + w
        if text_width(cand, bold, size) <= width or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


def pdf_string(s):
    """Encode as WinAnsi (cp1252) and escape for a PDF literal string."""
    s = s.replace("\u2018", "'").replace("\u2019", "'")
    raw = s.encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for b in raw:
        if b in (0x28, 0x29, 0x5C):           # ( ) \
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    out += b")"
    return bytes(out)


def parse_source(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    title = lines[0].lstrip("# ").strip()
    pages, cur = [], []
    for line in lines[1:]:
        if line.strip() == "=== page ===":
            if any(l.strip() for l in cur):
                pages.append(cur)
            cur = []
        else:
            cur.append(line)
    if any(l.strip() for l in cur):
        pages.append(cur)
    blocks_per_page = []
    for pl in pages:
        blocks, para = [], []
        def flush():
            if para:
                blocks.append(("p", " ".join(x.strip() for x in para)))
                para.clear()
        for l in pl:
            s = l.strip()
            if not s:
                flush()
            elif s.startswith("## "):
                flush()
                blocks.append(("h", s[3:].strip()))
            elif s.startswith("- "):
                flush()
                blocks.append(("b", s[2:].strip()))
            else:
                para.append(s)
        flush()
        blocks_per_page.append(blocks)
    return title, blocks_per_page


def layout_page(title, blocks, page_no, n_pages, name):
    """Return content-stream bytes for one page; raise if it overflows."""
    ops = []
    y = TOP
    width = PAGE_W - 2 * MARGIN_X

    def line(txt, font, size, x, yy):
        # A trailing space keeps words apart for extractors that join lines
        # without a separator (e.g. PdfPig's Page.Text).
        txt = txt + " "
        ops.append(b"BT /%s %.1f Tf %.2f %.2f Td %s Tj ET" % (font.encode(), size, x, yy, pdf_string(txt)))

    if page_no == 1:
        for t in wrap(title, True, TITLE_SIZE, width):
            line(t, "F2", TITLE_SIZE, MARGIN_X, y)
            y -= TITLE_SIZE + 6
        y -= 8
    else:
        line(title, "F1", 8.5, MARGIN_X, PAGE_H - 36)
    for kind, txt in blocks:
        if kind == "h":
            y -= 4
            for t in wrap(txt, True, HEAD_SIZE, width):
                line(t, "F2", HEAD_SIZE, MARGIN_X, y)
                y -= HEAD_SIZE + 5
        elif kind == "b":
            ls = wrap(txt, False, BODY_SIZE, width - 14)
            for i, t in enumerate(ls):
                if i == 0:
                    line("-", "F1", BODY_SIZE, MARGIN_X + 2, y)
                line(t, "F1", BODY_SIZE, MARGIN_X + 14, y)
                y -= BODY_LEAD
            y -= 2
        else:
            for t in wrap(txt, False, BODY_SIZE, width):
                line(t, "F1", BODY_SIZE, MARGIN_X, y)
                y -= BODY_LEAD
            y -= 6
        if y < BOTTOM:
            raise SystemExit("%s: page %d overflows (shorten it or split it)" % (name, page_no))
    line("Page %d of %d" % (page_no, n_pages), "F1", 8.5, PAGE_W / 2 - 20, 34)
    return b"\n".join(ops) + b"\n"


def build_pdf(title, page_streams):
    objs = {}
    n = len(page_streams)
    # 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then (page, content) pairs
    page_ids = [6 + 2 * i for i in range(n)]
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % p for p in page_ids), n)
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objs[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    objs[5] = b"<< /Title %s /Author (TeacherPlatform eval corpus) /Producer (make_pdfs.py) >>" % pdf_string(title)
    for i, stream in enumerate(page_streams):
        pid, cid = page_ids[i], page_ids[i] + 1
        objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                     b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (PAGE_W, PAGE_H, cid))
        objs[cid] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    max_id = max(objs)
    offsets = [0] * (max_id + 1)
    for oid in range(1, max_id + 1):
        offsets[oid] = len(out)
        out += b"%d 0 obj\n" % oid + objs[oid] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (max_id + 1)
    out += b"0000000000 65535 f \n"
    for oid in range(1, max_id + 1):
        out += b"%010d 00000 n \n" % offsets[oid]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (max_id + 1, xref)
    return bytes(out)


def make_set(name):
    src_dir = os.path.join(ROOT, name, "sources")
    out_dir = os.path.join(ROOT, name, "docs")
    if not os.path.isdir(src_dir):
        return 0
    os.makedirs(out_dir, exist_ok=True)
    count = 0
    for fn in sorted(os.listdir(src_dir)):
        if not fn.endswith(".md"):
            continue
        title, pages = parse_source(os.path.join(src_dir, fn))
        streams = [layout_page(title, b, i + 1, len(pages), fn) for i, b in enumerate(pages)]
        pdf = build_pdf(title, streams)
        dest = os.path.join(out_dir, fn[:-3] + ".pdf")
        with open(dest, "wb") as f:
            f.write(pdf)
        count += 1
        print("%-48s %d page(s), %d bytes" % (os.path.relpath(dest, ROOT), len(pages), len(pdf)))
    return count


if __name__ == "__main__":
    sets = sys.argv[1:] or ["pedagogy", "tiny"]
    total = sum(make_set(s) for s in sets)
    print("wrote %d PDF(s)" % total)
