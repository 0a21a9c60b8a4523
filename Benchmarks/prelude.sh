# Sourced by the benchmark scripts: strict mode, the repository root as the working folder,
# and a release build of `latent` in $latent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --product latent >/dev/null
latent=$(swift build -c release --show-bin-path)/latent
