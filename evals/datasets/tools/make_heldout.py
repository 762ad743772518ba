#!/usr/bin/env python3
"""Render the `heldout` dataset: one more Project Gutenberg book -> a book-like PDF, then questions.

A generalisation check written without looking at the retrieval code: a book the system was never tuned on,
laid out exactly like the `gutenberg` set (4.5 x 7 in pages, title page, running heads, page numbers, text
flowing across pages) by importing make_gutenberg.py's parser, layout, renderer and question builder.

Sources (evals/datasets/heldout/sources/):
  h01-jackson.txt    Gutenberg wording (hard-wrapped lines, blank line between paragraphs, `_italics_`);
                     licence header/footer, title page, advertisement, transcriber's note, contents, printer's
                     lines, footnote markers and "* * *" rules removed. Besides PREFACE and "CHAPTER N." the
                     book has two unnumbered sections, INTRODUCTORY REMARKS (with a subtitle paragraph) and
                     TESTIMONIALS., which are turned into chapter headings here.
  questions.txt      questions with evidence phrases, format as in make_gutenberg.py (ids h001, h002, ...)

Usage: python3 evals/datasets/tools/make_heldout.py [--pages-dump DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_gutenberg as mg  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "heldout")
BOOKS = [
    ("h01", "h01-jackson.txt", "docs/h01-jackson-gymnastics-for-the-fingers-and-wrist.pdf",
     "Gymnastics for the Fingers and Wrist", "Edwin Ward Jackson", "N. Trübner & Co., London, 1865",
     "Project Gutenberg eBook #67375"),
]
# Unnumbered section headings -> True when the next paragraph is the section's title line.
SECTIONS = {"INTRODUCTORY REMARKS": True, "TESTIMONIALS.": False}


def blocks_for(path):
    out, blocks, i = [], mg.parse_book(path), 0
    while i < len(blocks):
        b = blocks[i]
        if b[0] == "p" and b[1] in SECTIONS:
            if SECTIONS[b[1]]:
                out.append(("chapter", b[1], blocks[i + 1][1]))
                i += 2
                continue
            out.append(("chapter", "", b[1]))
        else:
            out.append(b)
        i += 1
    return out


def running_heads(pages):
    """Shorten running heads wider than the text column (several chapter titles are two sentences long)."""
    out = []
    for chapter, lines in pages:
        words = chapter.split()
        while len(words) > 1 and mg.text_width(" ".join(words).upper() + "\u2026", False, 7.5) > mg.WIDTH:
            words.pop()
        short = " ".join(words)
        out.append((short.rstrip(".,;") + "\u2026" if short != chapter else chapter, lines))
    return out


def main():
    mg.build(ROOT, BOOKS, prefix="h", blocks_for=blocks_for,
             paginate=lambda blocks: running_heads(mg.layout(blocks, wrap_heads=True)))


if __name__ == "__main__":
    main()
