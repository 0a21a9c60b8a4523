#!/usr/bin/env bash
# Builds the API documentation of the library's modules with DocC (the Autoencoders module's
# catalog holds an article per method family) and fails on any link DocC cannot resolve: a
# symbol named in a doc comment or an article that does not exist, or names several.
# Usage: Scripts/docs.sh   (archives in .build/plugins/Swift-DocC/outputs/)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(Tensors Collectives NeuralNetworks DataFormats DistributionMatching Neighbourhoods Autoencoders Figures Exploration)
arguments=()
for target in "${targets[@]}"; do arguments+=(--target "$target"); done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift package --disable-sandbox generate-documentation "${arguments[@]}" >"$log" 2>&1; then
    tail -30 "$log" >&2
    echo "error: DocC could not build the documentation" >&2
    exit 1
fi
unresolved=$(grep -E "doesn't exist at|is ambiguous at|No symbol matched|can't be resolved" "$log" | sort -u || true)
if [ -n "$unresolved" ]; then
    echo "$unresolved" >&2
    echo "error: $(echo "$unresolved" | wc -l) documentation link(s) DocC cannot resolve" >&2
    exit 1
fi
echo "documentation: ${#targets[@]} modules, every link resolved"
