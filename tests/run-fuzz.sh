#!/bin/sh
# Run each libFuzzer target for a bounded time on its seed corpus
# (tests/fuzz/corpus/<name>); new inputs go to the build tree, not the repo.
build=$1 secs=$2; shift 2
rc=0
for f in "$@"; do
	name=$(basename "$f")
	work="$build/fuzz/corpus-$name"
	mkdir -p "$work" "tests/fuzz/corpus/$name"
	echo "== $name ($secs s)"
	if ! "$f" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/$name-" "$work" "tests/fuzz/corpus/$name" \
		2> "$build/fuzz/$name.log"; then
		rc=1; echo "CRASH: see $build/fuzz/$name.log"
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$build/fuzz/$name.log" | sed 's/^/   /'
done
exit $rc
