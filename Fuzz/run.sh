#!/usr/bin/env bash
# Fuzzes Latent's readers with libFuzzer: builds the harnesses (Fuzz/LatentFuzz) with
# libFuzzer and AddressSanitizer into .build-fuzz (the normal build is untouched), then runs each
# target for SECONDS from its committed seed corpus (Fuzz/Corpus/TARGET, whose inputs are never
# modified), growing a working corpus under .build-fuzz/corpus/TARGET. Prints one line per
# target: executions, coverage, corpus size, and crashes; a crashing input is saved under
# Fuzz/Crashes/TARGET/ (commit it to the seed corpus with its fix as a regression input).
# Usage: Fuzz/run.sh [SECONDS] [TARGET…]   (default: 60 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(csv npy npz sparse-npz idx gzip safetensors model checkpoint spec); fi
# Swift's -sanitize=fuzzer links libFuzzer's own main, which SwiftPM's executables cannot use
# (they alias main to MODULE_main): the harness has its own main, which calls libFuzzer's
# driver, so the build instruments for coverage and links the no-main libFuzzer instead.
fuzzer=$(dirname "$(readlink -f "$(command -v swift)")")/../lib/clang
fuzzer=$(ls "$fuzzer"/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a | head -1)
swift build -c release --build-path .build-fuzz --product latent-fuzz -Xswiftc -DFUZZING \
    -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$fuzzer" -Xlinker -lstdc++ >/tmp/latent-fuzz-build.log 2>&1 || {
    echo "error: the fuzz build failed:" >&2; tail -20 /tmp/latent-fuzz-build.log >&2; exit 1; }
binary=$(swift build -c release --build-path .build-fuzz --show-bin-path)/latent-fuzz
status=0
for target in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$target
    crashes=Fuzz/Crashes/$target
    mkdir -p "$corpus" "$crashes"
    log=.build-fuzz/$target.log
    # -rss_limit_mb: an allocation far beyond what the input justifies is a finding too.
    # -detect_leaks=0: Foundation's FileManager leaks a path buffer per call on Linux (found by
    # the npz harness, which reads through a temporary file): not Latent's, and not what is tested.
    ASAN_OPTIONS=detect_leaks=0 LATENT_FUZZ_TARGET=$target "$binary" "$corpus" "Fuzz/Corpus/$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -detect_leaks=0 -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=1
    executions=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
    units=$(ls "$corpus" | wc -l)
    found=$(ls "$crashes" | wc -l)
    echo "$target: $executions executions in ${seconds} s, coverage $coverage, corpus $units inputs, crashes $found"
    if [ "$found" -gt 0 ]; then grep -E "ERROR|SUMMARY|Fatal error|#0 |#1 |#2 |#3 " "$log" | head -12; fi
done
exit $status
