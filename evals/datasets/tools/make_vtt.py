#!/usr/bin/env python3
"""Generate WebVTT lesson transcripts from plain-text scripts (standard library only).

Source format (evals/datasets/<set>/sources/transcripts/<name>.txt):

    TITLE: Lesson video: ...
    VOICES: yes|no          yes -> cues carry <v Teacher> / <v Student> voice tags
    T: what the teacher says (one or more sentences)
    S: what the student says
    [demo 10]               10 seconds of playing, captioned "[piano playing]"

Every sentence becomes a cue (long sentences are split at a comma); timings
follow a speaking rate of 2.4 words per second with short pauses, so the
files are deterministic and questions can cite cue start times.

Usage: python3 evals/datasets/tools/make_vtt.py [set ...]   (default: pedagogy tiny)
Also importable: cues(path) -> [(start, end, text)] for the question builder.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WPS = 2.4          # words per second
GAP = 0.4          # pause between cues of the same speaker
TURN = 0.9         # pause when the speaker changes
MAX_WORDS = 18


def _split_sentences(text):
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", text.strip())
    out = []
    for p in parts:
        words = p.split()
        while len(words) > MAX_WORDS:
            # split at the comma closest to the middle, else hard split
            best = None
            for i, w in enumerate(words[:-3]):
                if w.endswith(",") and i >= 4:
                    if best is None or abs(i - len(words) / 2) < abs(best - len(words) / 2):
                        best = i
            cut = (best + 1) if best is not None else MAX_WORDS
            out.append(" ".join(words[:cut]))
            words = words[cut:]
        if words:
            out.append(" ".join(words))
    return out


def parse(path):
    title, voices, items = None, False, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("TITLE:"):
                title = line[6:].strip()
            elif line.startswith("VOICES:"):
                voices = line[7:].strip().lower() == "yes"
            elif line.startswith("[demo"):
                items.append(("demo", float(line[5:-1])))
            elif line[:2] in ("T:", "S:"):
                items.append(("Teacher" if line[0] == "T" else "Student", line[2:].strip()))
            else:
                raise SystemExit("%s: cannot parse line: %s" % (path, line))
    return title, voices, items


def cues(path):
    """[(start_seconds, end_seconds, speaker or None, text)] in order."""
    _, voices, items = parse(path)
    t, last, out = 2.0, None, []
    for kind, val in items:
        if kind == "demo":
            t += 0.5
            out.append((t, t + val, None, "[piano playing]"))
            t += val + 0.6
            last = None
            continue
        if last is not None and last != kind:
            t += TURN - GAP
        for sent in _split_sentences(val):
            dur = max(1.5, round(len(sent.split()) / WPS, 1))
            out.append((round(t, 1), round(t + dur, 1), kind, sent))
            t += dur + GAP
        last = kind
    return [(round(a, 1), round(b, 1), s, x) for a, b, s, x in out]


def ts(sec):
    ms = int(round(sec * 1000))
    h, ms = divmod(ms, 3600000)
    m, ms = divmod(ms, 60000)
    s, ms = divmod(ms, 1000)
    return "%02d:%02d:%02d.%03d" % (h, m, s, ms)


def segments(cue_list, max_seconds=60.0, max_chars=800):
    """Approximate the ingestion's grouping: a segment closes once it spans
    >= max_seconds or holds >= max_chars of cue text. Returns [(start, end)]."""
    segs, start, chars, end = [], None, 0, None
    for a, b, _, text in cue_list:
        if start is None:
            start, chars = a, 0
        chars += len(text) + 1
        end = b
        if end - start >= max_seconds or chars >= max_chars:
            segs.append((start, end))
            start = None
    if start is not None:
        segs.append((start, end))
    return segs


def render(path):
    title, voices, _ = parse(path)
    lines = ["WEBVTT", "", "NOTE", title, "Original lesson transcript for the TeacherPlatform eval corpus (CC0).", ""]
    for i, (a, b, spk, text) in enumerate(cues(path), 1):
        lines.append(str(i))
        lines.append("%s --> %s" % (ts(a), ts(b)))
        if voices and spk:
            lines.append("<v %s>%s" % (spk, text))
        else:
            lines.append(text)
        lines.append("")
    return "\n".join(lines)


def make_set(name):
    src = os.path.join(ROOT, name, "sources", "transcripts")
    dst = os.path.join(ROOT, name, "docs")
    if not os.path.isdir(src):
        return 0
    n = 0
    for fn in sorted(os.listdir(src)):
        if not fn.endswith(".txt"):
            continue
        p = os.path.join(src, fn)
        with open(os.path.join(dst, fn[:-4] + ".vtt"), "w", encoding="utf-8") as f:
            f.write(render(p))
        c = cues(p)
        print("%-44s %3d cues, %5.1f s, %d segment(s)" % (fn[:-4] + ".vtt", len(c), c[-1][1], len(segments(c))))
        n += 1
    return n


if __name__ == "__main__":
    sets = sys.argv[1:] or ["pedagogy", "tiny"]
    print("wrote %d transcript(s)" % sum(make_set(s) for s in sets))
