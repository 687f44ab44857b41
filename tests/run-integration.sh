#!/bin/sh
# Run every integration test (tests/integration/test_*.sh) as root, each in
# network namespaces it creates and removes; print one closing summary line.
build=${1:-build}
if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests need root (network namespaces): run make check as root" >&2
	exit 1
fi
export BUILD="$(cd "$build" && pwd)"
pass=0 fail=0
for t in tests/integration/test_*.sh; do
	echo "== $t"
	if bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $t"; fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
