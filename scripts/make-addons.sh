#!/bin/sh
# make-addons.sh: assemble the offline add-on images quayside/postgres:15-offline
# and quayside/redis:7-offline from Debian bookworm's packages, on the root
# file system of the offline run image (quayside/run:offline, which
# `make builder` makes). Nothing is pulled from any registry. `make addons`
# runs it; builder/offline/addons/README.md explains the images.
#
# Each image is named after a hash of its inputs (the run image's ID and the
# files under builder/offline/addons/), so a run with nothing changed only
# re-tags, in a second:
#   quayside/postgres:15-offline-<hash>   quayside/redis:7-offline-<hash>
# quayside/postgres:15-offline and quayside/redis:7-offline name the current
# ones; images made from earlier inputs are removed.
#
# Making an image needs root (chroot) and the Debian mirror of the run
# image's apt sources; later runs need neither.
#
# Environment:
#   QUAYSIDE_DEBIAN_MIRROR           Debian mirror (default: the run image's)
#   QUAYSIDE_DEBIAN_SECURITY_MIRROR  its security mirror
#   QUAYSIDE_ADDONS_KEEP=1           keep the images made from earlier inputs
set -eu

ADDONS=builder/offline/addons
RUN=quayside/run:offline

log() {
	now=$(date +%s)
	printf '==> [%d:%02d] %s\n' $(((now - ${start:-$now}) / 60)) $(((now - ${start:-$now}) % 60)) "$*"
}
note() { printf '    %s\n' "$*"; }
die() {
	printf 'make-addons: %s\n' "$*" >&2
	exit 1
}

# hash_files prints a hash of the names, contents and executable bits of the
# files given or found under the directories given (not the docs, *.md).
hash_files() {
	find "$@" -type f ! -name '*~' ! -name '.*.swp' ! -name '*.md' | LC_ALL=C sort | while IFS= read -r f; do
		x=-
		if [ -x "$f" ]; then x=x; fi
		printf '%s %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$x" "$f"
	done | sha256sum | cut -c1-64
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
image_size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1000000 }'; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# import_rootfs imports a root file system as a bare image, then configures
# it with a Dockerfile (no file system layer): FROM the bare image, the
# instructions of a conf file, and the LABEL lines in the root's
# .quayside-labels (the Debian package versions rootfs.sh found). docker
# import alone cannot set STOPSIGNAL.
import_rootfs() {
	dir=$1 conf=$2 image=$3
	bare=$image-bare ctx=$work/$kind-context
	mkdir -p "$ctx"
	{ printf 'FROM %s\n' "$bare"; grep -v -e '^#' -e '^$' "$conf"; cat "$dir/.quayside-labels"; } >"$ctx/Dockerfile"
	rm -f "$dir/.quayside-labels" "$work/tar.failed.$kind"
	{ tar --numeric-owner -C "$dir" -cf - . || : >"$work/tar.failed.$kind"; } |
		docker import - "$bare" >/dev/null
	[ ! -e "$work/tar.failed.$kind" ] || die "could not read the root file system in $dir"
	DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null
	docker rmi "$bare" >/dev/null
}

# make_image makes the image of one add-on kind: the run image's root file
# system exported, rootfs.sh in a chroot, docker import.
make_image() {
	kind=$1 image=$2
	root=$work/$kind-rootfs
	mkdir "$root"
	cid=$(docker create "$RUN" /bin/true)
	rm -f "$work/export.failed.$kind"
	{ docker export "$cid" || : >"$work/export.failed.$kind"; } | tar --numeric-owner -C "$root" -xpf -
	docker rm "$cid" >/dev/null
	[ ! -e "$work/export.failed.$kind" ] || die "could not export $RUN"
	"$ADDONS/rootfs.sh" "$kind" "$root" "${QUAYSIDE_DEBIAN_MIRROR:-}" "${QUAYSIDE_DEBIAN_SECURITY_MIRROR:-}"
	import_rootfs "$root" "$ADDONS/image-$kind.conf" "$image"
	rm -rf "$root"
}

# prune removes the images of a repository made from earlier inputs: tags
# BASE-<hash> other than KEEP.
prune() {
	repo=$1 keep=$2 base=$3
	docker images --format '{{.Tag}}' "$repo" | while IFS= read -r tag; do
		case $tag in
		"$keep" | "$base") ;;
		"$base"-*) docker rmi "$repo:$tag" >/dev/null 2>&1 || true ;;
		esac
	done
}

cleanup() {
	status=$?
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	if [ -n "${work:-}" ] && [ -d "$work" ]; then
		if grep -q " $work/" /proc/mounts 2>/dev/null; then
			echo "make-addons: something is still mounted under $work; not removing it" >&2
		else
			rm -rf "$work"
		fi
	fi
	exit "$status"
}

cd "$(dirname "$0")/.."
start=$(date +%s)
pids=''

command -v docker >/dev/null 2>&1 || die "the docker command is missing. Run: make docker"
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer.
Start it with: make docker   (or scripts/ensure-docker.sh), then run make addons again"
image_exists "$RUN" || die "$RUN is missing: the add-on images are made on it. Run: make builder"

if command -v flock >/dev/null 2>&1; then
	exec 9>>"${TMPDIR:-/tmp}/quayside-make-addons.lock"
	if ! flock -n 9; then
		log "another make addons is running; waiting for it"
		flock 9
	fi
fi

run_id=$(docker image inspect -f '{{.Id}}' "$RUN")
# repo tag kind, one add-on image a line.
images='postgres 15-offline postgres
redis 7-offline redis'

todo=''
while read -r kind tag _; do
	hash=$({
		echo "$run_id $kind"
		hash_files "$ADDONS" scripts/make-addons.sh
	} | sha256sum | cut -c1-12)
	image=quayside/$kind:$tag-$hash
	if image_exists "$image"; then
		docker tag "$image" "quayside/$kind:$tag"
		log "quayside/$kind:$tag is up to date ($image)"
	else
		todo="$todo $kind:$tag:$hash"
	fi
done <<EOF
$images
EOF
[ -n "$todo" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	die "the add-on images are made once in a chroot, which needs root.
Run: sudo make addons   (later runs reuse the images and need no root)"
fi
# The root file systems take about 500 MB: /var/tmp is on disk where /tmp may not be.
work=$(mktemp -d "${TMPDIR:-/var/tmp}/quayside-make-addons.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM
log "assembling$todo on $RUN (nothing is pulled; about 90 s, the images side by side; work dir $work)"

# Both images are made side by side: apt waits on the mirror most of the time.
for item in $todo; do
	kind=${item%%:*} rest=${item#*:}
	tag=${rest%%:*} hash=${rest#*:}
	log "make quayside/$kind:$tag-$hash: unpack $RUN, purge python3 and nodejs, install packages-$kind.txt in a chroot"
	(
		t=$(date +%s)
		make_image "$kind" "quayside/$kind:$tag-$hash"
		log "quayside/$kind:$tag-$hash ready in $(elapsed "$t")"
	) >"$work/$kind.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$kind=\$!"
done
failed=''
for item in $todo; do
	kind=${item%%:*}
	eval "p=\$pid_$kind"
	if wait "$p"; then
		tail -n 1 "$work/$kind.log"
	else
		tail -n 40 "$work/$kind.log" >&2
		failed="$failed $kind"
	fi
done
pids=''
[ -z "$failed" ] || die "making$failed failed (the last lines of the log above). Check that the Debian mirror answers (apt-get update), or set QUAYSIDE_DEBIAN_MIRROR."

for item in $todo; do
	kind=${item%%:*} rest=${item#*:}
	tag=${rest%%:*} hash=${rest#*:}
	docker tag "quayside/$kind:$tag-$hash" "quayside/$kind:$tag"
	if [ "${QUAYSIDE_ADDONS_KEEP:-}" != 1 ]; then prune "quayside/$kind" "$tag-$hash" "$tag"; fi
	note "$(printf '%-36s %s' "quayside/$kind:$tag-$hash" "$(image_size "quayside/$kind:$tag-$hash")")"
done
log "done in $(elapsed "$start")"
