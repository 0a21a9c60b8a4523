#!/usr/bin/env bash
# Runs the test suite under Clang's sanitizers: AddressSanitizer (out-of-bounds access, use after
# free, in Swift's unsafe pointers and the C kernels) and ThreadSanitizer (data races: the
# parallel GEMM, the threaded CSV parser, parallel candidate evaluation of principal graphs,
# the thread pool). Each builds into its own folder (.build-asan, .build-tsan), so the normal
# build is untouched.
# Usage: Scripts/sanitize.sh [address|thread]… [-- SWIFT-TEST-ARGUMENTS…]
#   (default: both; e.g. Scripts/sanitize.sh address -- --skip 'demo|Demo')
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do sanitizers+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ ${#sanitizers[@]} -eq 0 ]; then sanitizers=(address thread); fi
status=0
for sanitizer in "${sanitizers[@]}"; do
    skips=()
    case $sanitizer in
        address) folder=.build-asan ;;
        # ThreadSanitizer's runtime dies of SIGBUS under `ulimit -f 1` (its own files hit the
        # limit), so the one test that sets the limit runs under AddressSanitizer only.
        thread) folder=.build-tsan; skips=(--skip aSaveBeyondTheFileSizeLimitFailsCleanly) ;;
        *) echo "error: unknown sanitizer '$sanitizer' (address or thread)" >&2; exit 2 ;;
    esac
    mkdir -p "$folder"
    log=$folder/sanitize.log
    echo "== $sanitizer: building into $folder"
    swift build -c release --build-tests --sanitize="$sanitizer" --build-path "$folder" >"$log" 2>&1 || {
        echo "error: the $sanitizer build failed:" >&2; tail -20 "$log" >&2; exit 1; }
    echo "== $sanitizer: testing (log: $log)"
    # halt_on_error: the first report fails the run, with its stack; leaks: Foundation's own on
    # Linux (see RELIABILITY.md) would drown ours, so ASan checks accesses, not leaks.
    start=$(date +%s)
    if ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        swift test -c release --skip-build --sanitize="$sanitizer" --build-path "$folder" "${skips[@]}" "$@" >>"$log" 2>&1; then
        result=passed
    else
        result=FAILED; status=1
    fi
    reports=$(grep -cE '^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer)' "$log" || true)
    summary=$(grep -oE 'Test run with [0-9]+ tests in [0-9]+ suites (passed|failed)[^.]*' "$log" | tail -1 || true)
    echo "$sanitizer: $result in $(( $(date +%s) - start )) s; $summary; sanitizer reports: $reports"
    if [ "$result" = FAILED ]; then grep -E -A12 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer|✘' "$log" | head -60; fi
done
exit $status
