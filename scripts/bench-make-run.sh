#!/bin/sh
# bench-make-run.sh: time `make run` from a fresh clone of this repository's
# HEAD, beside whatever else runs on the machine: until the dashboard
# answers, until an app with a Dockerfile pushed over git answers, and until
# the offline builder is ready. It prints the figures with the load average
# beside each; docs/benchmarks.md ("make run from a fresh clone") keeps them.
#
# Nothing it makes touches the images others use: every image is named
# qsbench/... (QUAYSIDE_IMAGE_PREFIX), the builder's cache is an empty
# directory, the server has its own data dir and ports (127.0.0.1:18480,
# :18443, :12222), and at the end it stops the server and removes its app's
# containers and images and the qsbench/ images. It is CPU-heavy (a cold
# builder): run it rarely, as root (debootstrap).
#
# Environment:
#   BENCH_GOCACHE=empty   also start from an empty Go build cache (a fresh
#                         machine); default: this machine's
#   BENCH_DIR=DIR         work directory (default: a new one under /var/tmp)
#   BENCH_BUILDER_CACHE=DIR  the builder's cache (Debian packages, lifecycle)
#                         instead of an empty one: a rebuild with the packages
#                         downloaded before
set -eu
cd "$(dirname "$0")/.."
repo=$(pwd)
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/quayside-bench-make-run.XXXXXX)}
prefix=qsbench/
http=127.0.0.1:18480

t0=$(date +%s)
say() { printf '%4d s  %s  (load average %s)\n' $(($(date +%s) - t0)) "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

mkpid=''
# cleanup stops make run (its process group, started here; SIGTERM, as
# SIGINT is ignored by what a script starts in the background), then
# removes what the run made in Docker.
cleanup() {
	if [ -n "$mkpid" ] && kill -0 "$mkpid" 2>/dev/null; then
		kill -TERM "-$mkpid" 2>/dev/null || true
		wait "$mkpid" 2>/dev/null || true
	fi
	inst=$(sed -n 's/.* instance=\([0-9a-z]*\).*/\1/p' "$dir/make-run.log" 2>/dev/null | head -n 1)
	if [ -n "$inst" ]; then
		docker ps -aq --filter "label=io.quayside.instance=$inst" | xargs -r docker rm -f >/dev/null 2>&1 || true
		docker network ls -q --filter "label=io.quayside.instance=$inst" | xargs -r docker network rm >/dev/null 2>&1 || true
		docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^qs-$inst/" | xargs -r docker rmi -f >/dev/null 2>&1 || true
	fi
	docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^${prefix}" | xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A Dockerfile app that needs no image from a registry: a static Go binary
# FROM scratch (compiled before the clock starts).
mkdir -p "$dir/app"
cat >"$dir/app/main.go" <<'EOF'
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from scratch") })
	_ = http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
EOF
printf 'module hello\n\ngo 1.21\n' >"$dir/app/go.mod"
(cd "$dir/app" && CGO_ENABLED=0 go build -o hello . && rm main.go go.mod)
printf 'FROM scratch\nCOPY hello /hello\nEXPOSE 5000\nCMD ["/hello"]\n' >"$dir/app/Dockerfile"
git -C "$dir/app" init -q -b main
git -C "$dir/app" add .
git -C "$dir/app" -c user.email=bench@localhost -c user.name=bench commit -qm app
ssh-keygen -q -t ed25519 -N '' -f "$dir/key" </dev/null >/dev/null

git clone -q "$repo" "$dir/clone"
git -C "$dir/clone" checkout -q "$(git rev-parse HEAD)" # this worktree's commit
gocache=$(go env GOCACHE)
if [ "${BENCH_GOCACHE:-}" = empty ]; then gocache=$dir/gocache; fi

t0=$(date +%s)
say "make run in a fresh clone ($dir/clone; Go build cache $gocache)"
# setsid: make run gets a process group of its own, which cleanup stops.
(cd "$dir/clone" && exec setsid env HTTP_ADDR=$http HTTPS_ADDR=127.0.0.1:18443 SSH_ADDR=127.0.0.1:12222 \
	DATA="$dir/data" QUAYSIDE_IMAGE_PREFIX=$prefix QUAYSIDE_BUILDER_CACHE="${BENCH_BUILDER_CACHE:-$dir/cache}" GOCACHE="$gocache" \
	make run) >"$dir/make-run.log" 2>&1 &
mkpid=$!
until curl -s -o /dev/null -H 'Host: quayside.localhost' "http://$http/"; do
	kill -0 "$mkpid" 2>/dev/null || {
		tail -n 30 "$dir/make-run.log" >&2
		echo "make run ended before serving" >&2
		exit 1
	}
	sleep 1
done
say "the dashboard answers"
QUAYSIDE_DATA=$dir/data "$dir/clone/bin/quayside" keys add bench <"$dir/key.pub" >/dev/null
GIT_SSH_COMMAND="ssh -i $dir/key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p 12222" \
	git -C "$dir/app" push -q ssh://git@127.0.0.1:12222/benchhello main >"$dir/push.log" 2>&1 || {
	cat "$dir/push.log" >&2
	exit 1
}
curl -sf -H 'Host: benchhello.localhost' "http://$http/" >/dev/null
say "the Dockerfile app answers"
until grep -qE '^state=(ready|failed)' "$dir/data/builder-assembly.status" 2>/dev/null; do sleep 2; done
say "the offline builder: $(grep -E '^(state|step)=' "$dir/data/builder-assembly.status" | tr '\n' ' ')"
grep -E '^builder: ==>|^builder:     .* ready in' "$dir/make-run.log" || true
