#!/bin/sh
# make-run.sh: `make run`. Starts Quayside on this machine as soon as
# bin/quayside is compiled, while scripts/make-builder.sh assembles the
# offline buildpacks builder in the background (minutes the first time,
# seconds later). Apps with a Dockerfile deploy at once; a buildpacks push
# made before the builder is ready is told how far it is and when it will be
# ready (the server reads DATA/builder-assembly.status, which make-builder.sh
# keeps up to date). The builder's progress lines are shown prefixed with
# "builder:" and kept in DATA/builder.log.
#
#   make-run.sh DATA HTTP_ADDR HTTPS_ADDR SSH_ADDR [SERVER FLAGS...]
#
# Ctrl-C stops the server and the builder's assembly (the next make run
# picks it up from the last image made).
set -eu

[ $# -ge 4 ] || {
	echo "usage: make-run.sh DATA HTTP_ADDR HTTPS_ADDR SSH_ADDR [SERVER FLAGS...]" >&2
	exit 2
}
cd "$(dirname "$0")/.."
mkdir -p "$1"
data=$(cd "$1" && pwd) http=$2 https=$3 ssh=$4
shift 4
start=$(date +%s)

say() {
	now=$(date +%s)
	printf '==> [%d:%02d] make run: %s\n' $(((now - start) / 60)) $(((now - start) % 60)) "$*"
}

# minutes prints seconds as "about N minutes" (at least 1).
minutes() {
	m=$((($1 + 59) / 60))
	if [ "$m" -le 1 ]; then echo "about 1 minute"; else echo "about $m minutes"; fi
}

# running reports whether process $1 runs (a finished child not yet
# waited for is a zombie, which kill -0 still finds).
# shellcheck disable=SC2317 # called from stop, run by the EXIT trap
running() {
	case $(ps -o stat= -p "$1" 2>/dev/null) in '' | Z*) return 1 ;; esac
}

builder_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
# stop ends the builder's assembly (its whole process group, which this
# script started); the tail showing it ends with it.
stop() {
	if [ -n "$builder_pid" ] && running "$builder_pid"; then
		say "stopping the builder's assembly (the next make run goes on from the last image made)"
		kill -TERM "-$builder_pid" 2>/dev/null || true
		wait "$builder_pid" 2>/dev/null || true
	fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# serve_estimate says when the server answers: once bin/quayside is
# compiled, which takes about PKG_CENTISECS hundredths of a second per
# package the Go build cache lacks on 2 idle cores (a cold compile of its
# some 920 packages took 175 CPU seconds; see docs/benchmarks.md).
serve_estimate() {
	stale=$(go list -deps -f '{{if .Stale}}{{.ImportPath}}{{end}}' ./cmd/quayside 2>/dev/null | grep -c . || true)
	if [ "${stale:-0}" -gt 20 ]; then
		echo "in $(minutes $((stale * PKG_CENTISECS / 100))), once bin/quayside is compiled ($stale packages the Go build cache lacks)"
	else
		echo "in seconds"
	fi
}
PKG_CENTISECS=13

builder_secs=$(QUAYSIDE_BUILDER_STATUS='' ./scripts/make-builder.sh --estimate) || exit 1

# The builder runs in a session and process group of its own (setsid; a
# background child is no group leader, so setsid does not fork and $! is
# the group), niced so the server's compile goes first: Ctrl-C reaches the
# server, and stop ends the whole assembly. Its lines show once the
# estimates are said.
log=$data/builder.log
: >"$log"
QUAYSIDE_BUILDER_STATUS=$data/builder-assembly.status setsid nice -n 10 ./scripts/make-builder.sh >"$log" 2>&1 &
builder_pid=$!

serving=$(serve_estimate)
if [ "$builder_secs" -gt 0 ]; then
	say "first run: Quayside serves $serving, and apps with a Dockerfile deploy from then on; the buildpacks builder takes $(minutes "$builder_secs") in the background; later runs: seconds"
else
	say "Quayside serves $serving; the buildpacks builder is up to date"
fi
tail -n +1 -f --pid="$builder_pid" "$log" | sed -u 's/^/builder: /' &

say "compile bin/quayside"
"${MAKE:-make}" --no-print-directory build
say "bin/quayside compiled; starting the server (the builder's progress: $log)"
status=0
QUAYSIDE_DATA=$data bin/quayside server --domain localhost --http-addr "$http" --https-addr "$https" --ssh-addr "$ssh" "$@" || status=$?
exit "$status"
