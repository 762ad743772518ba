#!/usr/bin/env bash
# Real English prose available offline on a Debian machine (vim help, package docs, rendered man pages), one file,
# for `evals ann --texts FILE` (recall@10 of the HNSW graph at 100k chunks on real embeddings).
# Usage: scripts/offline-prose.sh [OUT] [MAX_BYTES]   (defaults /tmp/anntext/raw.txt, 60 MB)
set -euo pipefail
out=${1:-/tmp/anntext/raw.txt}; max=${2:-60000000}
mkdir -p "$(dirname "$out")"; : > "$out"
cat /usr/share/vim/vim*/doc/*.txt >> "$out" 2>/dev/null || true
find /usr/share/doc -type f \( -name "*.txt" -o -name "*.md" -o -name "README*" -o -name "*.rst" \) ! -name "*.gz" -print0 \
  | xargs -0 cat >> "$out" 2>/dev/null || true
for f in /usr/share/man/man1/*.gz /usr/share/man/man3/*.gz /usr/share/man/man5/*.gz /usr/share/man/man8/*.gz; do
  [ -e "$f" ] || continue
  MANWIDTH=100 man -l "$f" 2>/dev/null | col -b >> "$out" || true
  echo >> "$out"
  [ "$(stat -c %s "$out")" -gt "$max" ] && break
done
echo "$out: $(wc -w < "$out") words"
