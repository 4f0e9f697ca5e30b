#!/usr/bin/env bash
# Checks wordcount.js end to end: writes a small input, runs the pipeline (on the SDK's
# DirectRunner with --direct, else on the job server at HOST:PORT through PortableRunner
# LOOPBACK), and compares its output with counts computed here by tr/sort/uniq.
#
#   ./test-wordcount.sh --direct
#   ./test-wordcount.sh localhost:PORT
#
# Prints "wordcount: 1 passed, 0 failed" or "wordcount: 0 passed, 1 failed".
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 --direct | HOST:PORT" >&2
  exit 2
fi
cd "$(dirname "$0")"
if [[ "$1" == "--direct" ]]; then
  target=(--direct)
else
  target=("--job_endpoint=$1")
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/input.txt" <<'TEXT'
The quick brown Fox jumps over the lazy dog.
THE DOG barks; the fox runs -- and the dog sleeps!

It's 42 degrees: dogs, foxes & cats don't care.
   the end
TEXT

# Same rule as wordcount.js: lower-case, split on anything but a-z, drop empty words.
tr 'A-Z' 'a-z' < "$work/input.txt" | tr -cs 'a-z' '\n' | grep -v '^$' \
  | LC_ALL=C sort | uniq -c | awk '{print $2 ": " $1}' | LC_ALL=C sort > "$work/expected.txt"

if node wordcount.js "$work/input.txt" "$work/output.txt" "${target[@]}" \
    --timeout_seconds="${WORDCOUNT_TIMEOUT_SECONDS:-300}" > "$work/run.log" 2>&1 \
  && diff -u "$work/expected.txt" "$work/output.txt" > "$work/diff.txt"; then
  echo "wordcount output matches $(wc -l < "$work/expected.txt") expected counts"
  echo "wordcount: 1 passed, 0 failed"
  exit 0
fi
echo "--- wordcount.js log:"
cat "$work/run.log"
[[ -s "$work/diff.txt" ]] && { echo "--- expected vs output:"; cat "$work/diff.txt"; }
echo "wordcount: 0 passed, 1 failed"
exit 1
