#!/bin/sh
# Times scikit-learn, ranger and grove side by side on the shared splits,
# alternating the tools in every round so that load from other work on the
# machine falls on all of them alike, then prints the median table.
#
#   bench/compare.sh BENCHDIR ROUNDS "iris digits ..." [TOOLS] > table.md
#
# TOOLS defaults to "sklearn ranger grove"; the raw JSON lines go to
# $OUT (default bench-runs.jsonl). Needs python3-sklearn and r-cran-ranger.
set -eu
dir=$1; rounds=$2; names=$3; tools=${4:-sklearn ranger grove}
out=${OUT:-bench-runs.jsonl}
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && go build -o "${TMPDIR:-/tmp}/grove-bench" .)
tools_dir=${TOOLS_DIR:-$dir/tools}
: > "$out"
r=0
while [ "$r" -lt "$rounds" ]; do
	for name in $names; do
		tr=$dir/${name}_train.csv; te=$dir/${name}_test.csv
		for tool in $tools; do
			case $tool in
			sklearn) /usr/bin/python3 "$tools_dir/py_anchor.py" sklearn "$tr" "$te" --threads 2 --trees 100 --seed "$r" --label "$name" ;;
			ranger) Rscript "$tools_dir/ranger_anchor.R" "$tr" "$te" 2 100 "$r" "$name" ;;
			grove) "${TMPDIR:-/tmp}/grove-bench" -tool grove -train "$tr" -test "$te" -workers 2 -trees 100 -seed "$r" -label "$name" ;;
			golearn) "${TMPDIR:-/tmp}/grove-bench" -tool golearn -train "$tr" -test "$te" -trees 100 -seed "$r" -label "$name" ;;
			esac >> "$out"
		done
	done
	r=$((r + 1))
done
"${TMPDIR:-/tmp}/grove-bench" -summarize < "$out"
