#!/bin/sh
# run.sh: the classifier and search bench. In one run it
#   1. builds what it needs: uses build/sigap if it has the `model` command,
#      otherwise compiles bench/classifier/driver.c (same code path, through
#      ai_cli_model) into a temporary directory; also builds search_bench.c;
#   2. converts IndoNLU SmSA (text<TAB>label, no header) to label<TAB>text;
#   3. trains and evaluates sigap on train/test, and runs the scikit-learn
#      reference (bench/classifier/sklearn_ref.py, Debian python3-sklearn) on
#      the same split, then prints both and the ratios;
#   4. measures prediction throughput on 50,000+ short texts on one core;
#   5. cross-validates the demo complaints (data/demo/complaints_52.71.tsv);
#   6. runs the service search bench (500 synthetic services).
# usage: bench/classifier/run.sh [SMSA_DIR]   (default /work/shared/data/indonlu-smsa)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SMSA=${1:-/work/shared/data/indonlu-smsa}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/sigap-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

CFLAGS="-O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$ROOT/src"
LIBS="-llinear -lstemmer -lutf8proc -lsodium -lm -lpthread"
AI="$ROOT/src/ai/text.c $ROOT/src/ai/classifier.c $ROOT/src/ai/search.c $ROOT/src/ai/ai_cli.c $ROOT/src/core/sb.c $ROOT/src/core/err.c"

if [ -x "$ROOT/build/sigap" ] && "$ROOT/build/sigap" model --help >/dev/null 2>&1; then
	MODEL="$ROOT/build/sigap model"
	echo "using build/sigap"
else
	gcc $CFLAGS $AI "$ROOT/bench/classifier/driver.c" $LIBS -o "$TMP/model"
	MODEL="$TMP/model"
	echo "using bench/classifier/driver.c (build/sigap has no model command yet)"
fi
gcc $CFLAGS "$ROOT/src/ai/text.c" "$ROOT/src/ai/search.c" "$ROOT/src/core/sb.c" "$ROOT/src/core/err.c" \
	"$ROOT/bench/classifier/search_bench.c" -lstemmer -lutf8proc -lm -lpthread -o "$TMP/search_bench"

# SmSA has no header and puts the label last: check, then convert.
for s in train valid test; do
	f="$SMSA/smsa_$s.tsv"
	bad=$(awk -F'\t' 'NF != 2 || ($2 != "positive" && $2 != "negative" && $2 != "neutral")' "$f" | wc -l)
	[ "$bad" -eq 0 ] || { echo "$f: $bad lines are not text<TAB>label" >&2; exit 1; }
	{ printf 'label\ttext\n'; awk -F'\t' '{ print $2 "\t" $1 }' "$f"; } > "$TMP/$s.tsv"
done
echo "smsa: $(($(wc -l < "$TMP/train.tsv") - 1)) train, $(($(wc -l < "$TMP/test.tsv") - 1)) test rows"

cpu() { # cpu SECONDS-FILE COMMAND...: runs COMMAND, writes user+sys CPU seconds
	out=$1; shift
	/usr/bin/time -f '%U %S %e' -o "$out.t" "$@"
	awk '{ printf "%.2f %.2f\n", $1 + $2, $3 }' "$out.t" > "$out"
}

echo "== sigap (train on train, eval on test)"
cpu "$TMP/sigap.cpu" $MODEL train --input "$TMP/train.tsv" --output "$TMP/smsa.model"
$MODEL eval --model "$TMP/smsa.model" --input "$TMP/test.tsv" | tee "$TMP/sigap.json"
echo "== scikit-learn TfidfVectorizer(word 1-2 + char_wb 2-5, sublinear_tf) + LinearSVC"
cpu "$TMP/sk.cpu" $PY "$ROOT/bench/classifier/sklearn_ref.py" "$TMP/train.tsv" "$TMP/test.tsv" > "$TMP/sk.json"
cat "$TMP/sk.json"

echo "== prediction throughput (single-threaded), short texts (demo complaints x100, avg ~75 chars)"
{ printf 'label\ttext\n'; i=0; while [ $i -lt 100 ]; do tail -n +2 "$ROOT/data/demo/complaints_52.71.tsv"; i=$((i + 1)); done; } > "$TMP/short.tsv"
$MODEL train --input "$ROOT/data/demo/complaints_52.71.tsv" --output "$TMP/demo.model" 2>/dev/null
$MODEL eval --model "$TMP/demo.model" --input "$TMP/short.tsv" > "$TMP/short16.json"
$MODEL eval --model "$TMP/smsa.model" --input "$TMP/short.tsv" 2>/dev/null > "$TMP/short3.json"
echo "16-label demo model: $(cat "$TMP/short16.json")"
echo "3-label smsa model:  $(cat "$TMP/short3.json")"

echo "== demo complaints, 5-fold cross-validation"
echo "default:               $($MODEL cv --input "$ROOT/data/demo/complaints_52.71.tsv")"
echo "--stem --stopwords:    $($MODEL cv --input "$ROOT/data/demo/complaints_52.71.tsv" --stem --stopwords "$ROOT/data/stopwords/stopwords_sastrawi_py.txt")"

echo "== service search, 500 synthetic services"
"$TMP/search_bench" 2>/dev/null | tee "$TMP/search.json"

echo "== summary"
$PY - "$TMP" <<'PYEOF'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/sigap.json"))
k = json.load(open(d + "/sk.json"))
scpu, swall = map(float, open(d + "/sigap.cpu").read().split())
kcpu, kwall = map(float, open(d + "/sk.cpu").read().split())
short = json.load(open(d + "/short16.json"))
short3 = json.load(open(d + "/short3.json"))
srch = json.load(open(d + "/search.json"))
print(f"accuracy   sigap {s['accuracy']:.4f}  sklearn {k['accuracy']:.4f}  diff {s['accuracy'] - k['accuracy']:+.4f}")
print(f"macro_f1   sigap {s['macro_f1']:.4f}  sklearn {k['macro_f1']:.4f}  diff {s['macro_f1'] - k['macro_f1']:+.4f}")
print(f"train      sigap {swall:.2f} s wall / {scpu:.2f} s cpu (whole process)  sklearn fit {k['train_sec']:.2f} s "
      f"({kwall:.2f} s wall / {kcpu:.2f} s cpu whole process)  speed-up {k['train_sec'] / swall:.1f}x wall, {kcpu / scpu:.1f}x cpu")
print(f"predict    sigap {s['docs_per_sec']:.0f} docs/s wall, {s['docs_per_cpu_sec']:.0f} per cpu-s (smsa test)  sklearn {k['docs_per_sec']} docs/s wall")
print(f"short      one thread: {short['docs_per_sec']:.0f}/s wall, {short['docs_per_cpu_sec']:.0f} per cpu-s (16 labels); "
      f"{short3['docs_per_sec']:.0f}/s wall, {short3['docs_per_cpu_sec']:.0f} per cpu-s (3 labels)")
print(f"precision_at_80 {s['precision_at_80']:.4f}  top3 {s['top3']:.4f}")
print(f"load       {open('/proc/loadavg').read().split()[0]} (1-min load average at the end; 2 cores)")
print(f"search     500 services: mean {srch['mean_us']:.1f} us, p99 {srch['p99_us']:.1f} us, max {srch['max_us']:.1f} us; "
      f"'bikin ktp hilang' first = {srch['ktp_hilang_first']}")
PYEOF
