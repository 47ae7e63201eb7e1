#!/bin/sh
# make-builder.sh: assemble Quayside's offline Cloud Native Buildpacks builder,
# quayside/builder:offline, from local parts only: nothing is pulled from any
# registry. `make builder` runs it; builder/offline/README.md explains the parts.
#
# Every image is named after a hash of its inputs, so a run with nothing
# changed only re-tags (a second or two), and a buildpack change does not redo
# debootstrap:
#   quayside/run:offline-<hash>      debootstrapped bookworm + packages-run.txt
#   quayside/build:offline-<hash>    the run root file system + packages-build.txt
#   quayside/builder:offline-<hash>  build image + lifecycle + buildpacks
#   quayside/lifecycle:0.20.11-<hash>  the lifecycle alone (FROM scratch), which
#                                    builds with builders other than the
#                                    server's own run untrusted from
# quayside/run:offline, quayside/build:offline, quayside/builder:offline and
# quayside/lifecycle:0.20.11 name the current ones.
#
# Making the run and build images needs root (debootstrap, chroot) and the
# Debian mirror of this machine's apt sources; later runs need neither.
#
# Environment:
#   QUAYSIDE_DEBIAN_MIRROR           Debian mirror (default: from the apt sources)
#   QUAYSIDE_DEBIAN_SECURITY_MIRROR  its security mirror (default: from the apt sources)
#   QUAYSIDE_BUILDER_CACHE           where built lifecycle tarballs are kept
#                                    (default: ~/.cache/quayside/offline-builder)
#   QUAYSIDE_BUILDER_KEEP=1          keep the images made from earlier inputs
#   QUAYSIDE_BUILDER_TAG=NAME        tag the builder quayside/builder:NAME instead
#                                    of :offline, and leave the :offline tags and
#                                    every other image alone (for trying changes
#                                    while others use quayside/builder:offline)
#   QUAYSIDE_IMAGE_PREFIX=NAME/      name every image NAME/run, NAME/build,
#                                    NAME/builder, NAME/lifecycle instead of
#                                    quayside/... (timing a cold build beside the
#                                    images others use); default quayside/
#   QUAYSIDE_BUILDER_STATUS=FILE     keep FILE saying how far the assembly is
#                                    (state, step, start, estimate), for the
#                                    server to tell pushes; make run sets it
#
# The Debian packages it downloads are kept in the cache too (debs/), so
# making the images again, or on a machine given a copy, fetches only what
# changed.
set -eu

OFFLINE=builder/offline
STACK=$OFFLINE/stack
TAG=offline                             # hashed images: quayside/*:offline-<hash>
PREFIX=${QUAYSIDE_IMAGE_PREFIX:-quayside/}
NAME=${QUAYSIDE_BUILDER_TAG:-offline}   # the builder's moving tag
LC_VERSION=0.20.11 # builder/offline/lifecycle/build.sh builds this one

# log prints a step with the time since the start.
log() {
	now=$(date +%s)
	printf '==> [%d:%02d] %s\n' $(((now - ${start:-$now}) / 60)) $(((now - ${start:-$now}) % 60)) "$*"
	status assembling "$*"
}
note() { printf '    %s\n' "$*"; }
die() {
	printf 'make-builder: %s\n' "$*" >&2
	status failed "$*"
	exit 1
}

# status writes the status file QUAYSIDE_BUILDER_STATUS, when one is asked
# for: state (assembling, ready or failed), the step or the failure (its
# first line), the start (Unix seconds), the estimated total (seconds, 0 when
# not known yet). A server reads it to tell a push how far the builder is.
# It is replaced whole, never half written.
status() {
	[ -n "${QUAYSIDE_BUILDER_STATUS:-}" ] || return 0
	status_state=$1
	if {
		printf 'state=%s\n' "$1"
		printf 'step=%s\n' "$(printf '%s\n' "$2" | head -n 1 | cut -c1-300)"
		printf 'started=%s\n' "${start:-$(date +%s)}"
		printf 'estimate=%s\n' "${estimated:-0}"
	} >"$QUAYSIDE_BUILDER_STATUS.tmp" 2>/dev/null; then
		mv -f "$QUAYSIDE_BUILDER_STATUS.tmp" "$QUAYSIDE_BUILDER_STATUS" 2>/dev/null || true
	fi
}

# hash_files prints a hash of the names, contents and executable bits of the
# files given or found under the directories given.
hash_files() {
	find "$@" -type f ! -name '*~' ! -name '.*.swp' | LC_ALL=C sort | while IFS= read -r f; do
		x=-
		if [ -x "$f" ]; then x=x; fi
		printf '%s %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$x" "$f"
	done | sha256sum | cut -c1-64
}

# short_hash prints the first 12 hex digits of a hash of its standard input.
short_hash() { sha256sum | cut -c1-12; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# image_size prints an image's size in MB.
image_size() {
	docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1000000 }'
}

elapsed() { echo "$(($(date +%s) - $1)) s"; }

# logged runs a command with its output in $work/NAME.log; when it fails it
# shows the end of the log and the hint.
logged() {
	name=$1 hint=$2
	shift 2
	if ! "$@" >"$work/$name.log" 2>&1; then
		tail -n 40 "$work/$name.log" >&2
		die "$name failed (last lines of its log above). $hint"
	fi
}

# logged_steps is logged for rootfs.sh, whose lines on descriptor 3 (its
# steps done, with times) are shown as notes.
logged_steps() {
	name=$1 hint=$2
	shift 2
	if ! { "$@" 3>&1 >"$work/$name.log" 2>&1 | sed -u 's/^/    /'; } ||
		! grep -q "^rootfs.sh: .* root file system ready" "$work/$name.log"; then
		tail -n 40 "$work/$name.log" >&2
		die "$name failed (last lines of its log above). $hint"
	fi
}

# wait_logged waits for a background job started with its output in
# $work/NAME.log and fails like logged.
wait_logged() {
	name=$1 pid=$2 hint=$3
	if ! wait "$pid"; then
		tail -n 40 "$work/$name.log" >&2
		die "$name failed (last lines of its log above). $hint"
	fi
}

# apt_sources prints "URI SUITE" for every enabled deb source of this machine,
# from one-line .list files and deb822 .sources files.
apt_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if (i + 1 <= NF) print $i, $(i + 1)
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[ \t]*#/) continue
				n = index($i, ":"); if (n == 0) continue
				key = tolower(substr($i, 1, n - 1)); val = substr($i, n + 1)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled") enabled = val
			}
			if (enabled ~ /[Nn]o/ || (" " types " ") !~ /[ \t]deb[ \t]/) next
			nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
			for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
				if (u[a] != "" && s[b] != "") print u[a], s[b]
		}' "$f"
	done
}

# find_mirrors sets mirror and security from the environment or the apt
# sources: the source of bookworm, else any Debian mirror (it serves bookworm
# too).
find_mirrors() {
	sources=$(apt_sources)
	mirror=${QUAYSIDE_DEBIAN_MIRROR:-$(printf '%s\n' "$sources" | awk '
		$2 == "bookworm" && !m { m = $1 }
		$2 !~ /-security$/ && $1 ~ /\/debian\/?$/ && !any { any = $1 }
		END { print (m != "" ? m : any) }')}
	security=${QUAYSIDE_DEBIAN_SECURITY_MIRROR:-$(printf '%s\n' "$sources" | awk '
		$2 == "bookworm-security" && !m { m = $1 }
		$2 ~ /-security$/ && $1 ~ /\/debian-security\/?$/ && !any { any = $1 }
		END { print (m != "" ? m : any) }')}
	[ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list or /etc/apt/sources.list.d/.
Set one, for example: QUAYSIDE_DEBIAN_MIRROR=http://deb.debian.org/debian make builder"
}

# need_root_tools checks what making the base images needs: root, debootstrap
# (installed from apt when missing) and a mirror.
need_root_tools() {
	if [ "$(id -u)" -ne 0 ]; then
		die "the run and build images are made once with debootstrap and chroot, which need root.
Run: sudo make builder   (later runs reuse the images and need no root)"
	fi
	if ! command -v debootstrap >/dev/null 2>&1; then
		log "installing debootstrap from apt"
		logged apt-debootstrap "Install debootstrap yourself: apt-get install debootstrap debian-archive-keyring" \
			sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap debian-archive-keyring'
	fi
	find_mirrors
}

# import_rootfs imports a root file system as an image configured by a
# conf file of `docker import --change` lines.
import_rootfs() {
	dir=$1 conf=$2 image=$3
	set --
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		set -- "$@" --change "$line"
	done <"$conf"
	rm -f "$work/tar.failed"
	{ tar --numeric-owner -C "$dir" -cf - . || : >"$work/tar.failed"; } |
		docker import "$@" - "$image" >/dev/null
	[ ! -e "$work/tar.failed" ] || die "could not read the root file system in $dir"
}

make_run_image() {
	t=$(date +%s)
	log "debootstrap bookworm from $mirror and install the run packages in a chroot (about 60 s)"
	logged_steps rootfs-run "Check that $mirror answers (apt-get update), or set QUAYSIDE_DEBIAN_MIRROR." \
		env QUAYSIDE_DEB_CACHE="$cache/debs" "$STACK/rootfs.sh" run "$work/run-rootfs" "$mirror" "$security"
	note "$(tail -n 1 "$work/rootfs-run.log")"
	log "import $RUN_IMAGE (about 10 s)"
	import_rootfs "$work/run-rootfs" "$STACK/image-run.conf" "$RUN_IMAGE"
	if [ "$need_build" = 1 ]; then
		# The build image starts from the same files: no export of the image.
		mv "$work/run-rootfs" "$work/build-rootfs"
	else
		rm -rf "$work/run-rootfs"
	fi
	note "run image ready in $(elapsed "$t")"
}

# local_cas lists the certificate authorities this machine adds to Debian's
# own (/usr/local/share/ca-certificates): a company's or an egress proxy's.
# Builds that fetch dependencies (pip, npm) go through the same network, so
# the build image trusts them too.
local_cas() {
	find /usr/local/share/ca-certificates -type f -name '*.crt' 2>/dev/null | LC_ALL=C sort
}

# add_local_cas copies local_cas into the build root file system in $1 and
# updates its CA bundle.
add_local_cas() {
	[ -n "$(local_cas)" ] || return 0
	mkdir -p "$1/usr/local/share/ca-certificates/host"
	local_cas | while IFS= read -r f; do cp "$f" "$1/usr/local/share/ca-certificates/host/"; done
	logged ca-certificates "Check the certificates in /usr/local/share/ca-certificates." \
		chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin update-ca-certificates
	note "the build image also trusts this machine's certificate authorities: $(local_cas | xargs -n1 basename | tr '\n' ' ')"
}

# export_run_image unpacks $RUN_IMAGE into $work/build-rootfs, for a build
# image made when the run image was made earlier.
export_run_image() {
	mkdir "$work/build-rootfs"
	cid=$(docker create --name "quayside-make-builder-$$" "$RUN_IMAGE" /bin/true)
	rm -f "$work/export.failed"
	{ docker export "$cid" || : >"$work/export.failed"; } | tar --numeric-owner -C "$work/build-rootfs" -xpf -
	docker rm "$cid" >/dev/null
	cid=
	[ ! -e "$work/export.failed" ] || die "could not export $RUN_IMAGE"
}

make_build_image() {
	t=$(date +%s)
	log "install the build packages in a chroot on the run image's files, compile the Go standard library (about 2 min)"
	[ -d "$work/build-rootfs" ] || export_run_image
	logged_steps rootfs-build "Check that $mirror answers (apt-get update), or set QUAYSIDE_DEBIAN_MIRROR." \
		env QUAYSIDE_DEB_CACHE="$cache/debs" "$STACK/rootfs.sh" build "$work/build-rootfs" "$mirror" "$security"
	note "$(tail -n 1 "$work/rootfs-build.log")"
	add_local_cas "$work/build-rootfs"
	log "import $BUILD_IMAGE (about 20 s)"
	import_rootfs "$work/build-rootfs" "$STACK/image-build.conf" "$BUILD_IMAGE"
	rm -rf "$work/build-rootfs"
	note "build image ready in $(elapsed "$t")"
}

# stage copies builder.toml, the buildpacks and the lifecycle into one
# directory and compiles the static buildpack's file server into it.
stage() {
	st=$work/stage
	mkdir -p "$st"
	cp "$OFFLINE/builder.toml" "$st/"
	cp -R "$OFFLINE/buildpacks" "$st/"
	rm -rf "$st/buildpacks/static/server"
	cp "$LIFECYCLE_TGZ" "$st/lifecycle.tgz"
	log "compile the static file server (CGO_ENABLED=0)"
	logged static-server "Run: go build ./$OFFLINE/buildpacks/static/server" \
		env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
		-o "$st/buildpacks/static/bin/quayside-static" "./$OFFLINE/buildpacks/static/server"
}

# prune removes images of a repository made from earlier inputs: tags
# BASE-<hash> other than KEEP.
prune() {
	repo=$1 keep=$2 base=${3:-$TAG}
	docker images --format '{{.Tag}}' "$repo" | while IFS= read -r tag; do
		case $tag in
		"$keep" | "$base") ;;
		"$base"-*) docker rmi "$repo:$tag" >/dev/null 2>&1 || true ;;
		esac
	done
}

# lifecycle_apis prints the io.buildpacks.lifecycle.apis label of the
# lifecycle image, read from the lifecycle.toml of the tarball $1: the
# Buildpack and Platform APIs it supports, as JSON (pack reads the Platform
# APIs to pick the one the build uses).
lifecycle_apis() {
	tar -xzOf "$1" lifecycle.toml | awk '
		/^\[/ { sec = $0 }
		sec == "[apis.buildpack]" && $1 ~ /^(deprecated|supported)$/ { bp[$1] = substr($0, index($0, "=") + 2) }
		sec == "[apis.platform]" && $1 ~ /^(deprecated|supported)$/ { pf[$1] = substr($0, index($0, "=") + 2) }
		END {
			printf "{\"buildpack\":{\"deprecated\":%s,\"supported\":%s},", bp["deprecated"], bp["supported"]
			printf "\"platform\":{\"deprecated\":%s,\"supported\":%s}}\n", pf["deprecated"], pf["supported"]
		}' | tr -d ' '
}

# make_lifecycle_image makes $LIFECYCLE_IMAGE from the lifecycle tarball the
# way the lifecycle's own image is made (tools/image in its source), on
# scratch instead of distroless: the phases under /cnb/lifecycle, the
# launcher the exporter puts into app images, a /tmp, working dir /layers,
# and the labels pack reads.
make_lifecycle_image() {
	t=$(date +%s)
	ctx=$work/lifecycle-image
	mkdir -p "$ctx/rootfs/cnb" "$ctx/rootfs/tmp" "$ctx/rootfs/etc" "$ctx/rootfs/layers"
	tar -xzf "$LIFECYCLE_TGZ" -C "$ctx/rootfs/cnb" lifecycle
	chmod 1777 "$ctx/rootfs/tmp"
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$ctx/rootfs/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$ctx/rootfs/etc/group"
	printf 'FROM scratch\nCOPY rootfs/ /\nWORKDIR /layers\n' >"$ctx/Dockerfile"
	apis=$(lifecycle_apis "$LIFECYCLE_TGZ")
	case $apis in *'"supported":["'*'"supported":["'*) ;; *) die "could not read the supported APIs from lifecycle.toml in $LIFECYCLE_TGZ (got $apis)" ;; esac
	bp_api=$(printf '%s' "$apis" | sed 's/.*"buildpack":{[^}]*"supported":\["\([^"]*\)".*/\1/')
	pf_api=$(printf '%s' "$apis" | sed 's/.*"platform":{[^}]*"supported":\["\([^"]*\)".*/\1/')
	log "make $LIFECYCLE_IMAGE from $LIFECYCLE_TGZ"
	logged lifecycle-image "The lifecycle image is built FROM scratch with the classic builder; check that docker build works." \
		env DOCKER_BUILDKIT=0 docker build -q -t "$LIFECYCLE_IMAGE" \
		--label "io.buildpacks.lifecycle.version=$LC_VERSION" \
		--label "io.buildpacks.lifecycle.apis=$apis" \
		--label "io.buildpacks.builder.metadata={\"lifecycle\":{\"version\":\"$LC_VERSION\"},\"api\":{\"buildpack\":\"$bp_api\",\"platform\":\"$pf_api\"}}" \
		"$ctx"
	rm -rf "$ctx"
	note "lifecycle image ready in $(elapsed "$t")"
}

# make_work makes the work dir, once, and removes it on exit.
make_work() {
	[ -z "${work:-}" ] || return 0
	# The root file systems take about 1 GB: /var/tmp is on disk where /tmp may not be.
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/quayside-make-builder.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

# ensure_lifecycle_image makes $LIFECYCLE_IMAGE when it is missing (and the
# lifecycle tarball first, when that is missing too), and tags it
# quayside/lifecycle:$LC_VERSION.
ensure_lifecycle_image() {
	if ! image_exists "$LIFECYCLE_IMAGE"; then
		make_work
		if [ ! -f "$LIFECYCLE_TGZ" ]; then
			log "build lifecycle $LC_VERSION from its Go module source (about 60 s)"
			logged lifecycle "It needs the Go module proxy or a module cache holding github.com/buildpacks/lifecycle@v$LC_VERSION." \
				"$OFFLINE/lifecycle/build.sh" "$LIFECYCLE_TGZ"
		fi
		make_lifecycle_image
	fi
	docker tag "$LIFECYCLE_IMAGE" "${PREFIX}lifecycle:$LC_VERSION"
	if [ "${QUAYSIDE_BUILDER_KEEP:-}" != 1 ]; then
		prune "${PREFIX}lifecycle" "$LC_VERSION-$lc_hash" "$LC_VERSION"
	fi
}

# estimate_secs sets secs to how long the steps to come take, and parts to
# the steps, from the times measured on 2 idle cores with a nearby Debian
# mirror (see builder/offline/README.md).
estimate_secs() {
	secs=20 parts="builder 20 s"
	if [ "$need_run" = 1 ]; then secs=$((secs + 100)) parts="run image 100 s, $parts"; fi
	if [ "$need_build" = 1 ]; then secs=$((secs + 180)) parts="build image 180 s, $parts"; fi
	if [ ! -f "$LIFECYCLE_TGZ" ] && [ "$need_run" = 0 ]; then secs=$((secs + 60)) parts="lifecycle 60 s, $parts"; fi
}

# estimate says how long the steps to come take, and that they take longer
# when other work keeps the machine's cores busy.
estimate() {
	estimate_secs
	estimated=$secs
	log "this takes about $(((secs + 59) / 60)) min on idle cores ($parts); later runs reuse what is made"
	load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
	cores=$(nproc 2>/dev/null || echo 1)
	if [ "${load%%.*}" -ge $((2 * cores)) ]; then
		note "this machine is busy (load average $load on $cores cores): expect up to twice as long"
	fi
}

cleanup() {
	status=$?
	if [ "$status" -ne 0 ] && [ "${status_state:-}" = assembling ]; then
		status failed "make builder stopped (exit status $status) before it finished"
	fi
	if [ -n "${lc_pid:-}" ]; then kill "$lc_pid" 2>/dev/null || true; fi
	if [ -n "${mk_pid:-}" ]; then kill "$mk_pid" 2>/dev/null || true; fi
	if [ -n "${cid:-}" ]; then docker rm -f "$cid" >/dev/null 2>&1 || true; fi
	if [ -n "${work:-}" ] && [ -d "$work" ]; then
		if grep -q " $work/" /proc/mounts 2>/dev/null; then
			echo "make-builder: something is still mounted under $work; not removing it" >&2
		else
			rm -rf "$work"
		fi
	fi
	exit "$status"
}

cd "$(dirname "$0")/.."
start=$(date +%s)

command -v docker >/dev/null 2>&1 || die "the docker command is missing. Run: make docker"
command -v go >/dev/null 2>&1 || die "Go is missing; install Go (see go.mod for the version)"
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer.
Start it with: make docker   (or scripts/ensure-docker.sh), then run make builder again"
printf '%s' "$PREFIX" | grep -Eq '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*/$' ||
	die "QUAYSIDE_IMAGE_PREFIX=$PREFIX is not an image name prefix: give lower-case name parts ending in a slash, for example qscold/"

# `make-builder.sh --estimate` prints how many seconds a run would take now
# (0: nothing to do) and does nothing else; make run says it at the start.
mode=${1:-}

# One make-builder at a time on this machine: a second one waits, then finds
# the images made.
if [ "$mode" != --estimate ] && command -v flock >/dev/null 2>&1; then
	# Images under another prefix are others: their runs do not wait for these.
	lock=quayside-make-builder
	[ "$PREFIX" = quayside/ ] || lock=$lock-$(printf '%s' "$PREFIX" | tr -c 'a-z0-9.\n' '-')
	exec 9>>"${TMPDIR:-/tmp}/$lock.lock"
	if ! flock -n 9; then
		log "another make builder is running; waiting for it"
		flock 9
	fi
fi

run_hash=$(hash_files "$STACK/rootfs.sh" "$STACK/packages-run.txt" "$STACK/image-run.conf" | short_hash)
build_hash=$({
	echo "$run_hash"
	hash_files "$STACK/packages-build.txt" "$STACK/image-build.conf"
	local_cas | while IFS= read -r f; do sha256sum <"$f"; done
} | short_hash)
lc_hash=$({
	hash_files "$OFFLINE/lifecycle"
	go env GOVERSION
} | short_hash)
builder_hash=$({
	echo "$run_hash $build_hash $lc_hash"
	hash_files "$OFFLINE/buildpacks" "$OFFLINE/builder.toml" "$OFFLINE/mkbuilder" scripts/make-builder.sh
	grep -E 'buildpacks/|docker/docker ' go.mod
	go env GOVERSION
} | short_hash)

cache=${QUAYSIDE_BUILDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quayside/offline-builder}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd) # rootfs.sh mounts it inside the chroot
LIFECYCLE_TGZ=$cache/lifecycle-$lc_hash.tgz
LIFECYCLE_IMAGE=${PREFIX}lifecycle:$LC_VERSION-$lc_hash
RUN_IMAGE=${PREFIX}run:$TAG-$run_hash
BUILD_IMAGE=${PREFIX}build:$TAG-$build_hash
BUILDER_IMAGE=${PREFIX}builder:$TAG-$builder_hash

# tag_current points the moving tags at the images just made or found; with
# QUAYSIDE_BUILDER_TAG only the builder's own.
tag_current() {
	docker tag "$BUILDER_IMAGE" "${PREFIX}builder:$NAME"
	if [ "$NAME" = "$TAG" ]; then
		docker tag "$BUILD_IMAGE" "${PREFIX}build:$TAG" 2>/dev/null || true
		docker tag "$RUN_IMAGE" "${PREFIX}run:$TAG"
		ensure_lifecycle_image
	fi
}

if [ "$mode" = --estimate ]; then
	secs=0
	if ! image_exists "$BUILDER_IMAGE" || ! image_exists "$RUN_IMAGE"; then
		need_run=0 need_build=0
		image_exists "$RUN_IMAGE" || need_run=1
		image_exists "$BUILD_IMAGE" || need_build=1
		estimate_secs
	fi
	echo "$secs"
	exit 0
fi

if image_exists "$BUILDER_IMAGE" && image_exists "$RUN_IMAGE"; then
	tag_current
	log "${PREFIX}builder:$NAME is up to date ($BUILDER_IMAGE), and ${PREFIX}lifecycle:$LC_VERSION ($LIFECYCLE_IMAGE)"
	status ready "${PREFIX}builder:$NAME is up to date"
	exit 0
fi

make_work
log "assembling $BUILDER_IMAGE (nothing is pulled; work dir $work)"

need_run=0 need_build=0
image_exists "$RUN_IMAGE" || need_run=1
image_exists "$BUILD_IMAGE" || need_build=1
estimate
if [ $need_run = 1 ] || [ $need_build = 1 ]; then
	need_root_tools
	[ -n "$security" ] || note "no bookworm-security source found: the images get no security updates"
fi

# The Go compiles run in the background while debootstrap waits on the network.
lc_pid='' mk_pid=''
if [ ! -f "$LIFECYCLE_TGZ" ]; then
	log "build lifecycle $LC_VERSION from its Go module source (background, about 60 s)"
	"$OFFLINE/lifecycle/build.sh" "$LIFECYCLE_TGZ" >"$work/lifecycle.log" 2>&1 &
	lc_pid=$!
else
	note "lifecycle: $LIFECYCLE_TGZ"
fi
log "compile mkbuilder, which drives pack as a library (background, about 80 s cold)"
go build -o "$work/mkbuilder" "./$OFFLINE/mkbuilder" >"$work/mkbuilder-compile.log" 2>&1 &
mk_pid=$!

if [ $need_run = 1 ]; then
	make_run_image
else
	note "run image: $RUN_IMAGE (cached)"
fi
if [ $need_build = 1 ]; then
	make_build_image
else
	note "build image: $BUILD_IMAGE (cached)"
fi

if [ -n "$lc_pid" ]; then
	log "wait for the lifecycle build"
	wait_logged lifecycle "$lc_pid" "It needs the Go module proxy or a module cache holding github.com/buildpacks/lifecycle@v$LC_VERSION."
	lc_pid=
fi
stage
log "wait for the mkbuilder compile"
wait_logged mkbuilder-compile "$mk_pid" "Run: go build ./$OFFLINE/mkbuilder"
mk_pid=

t=$(date +%s)
log "create $BUILDER_IMAGE with pack (CreateBuilder, pull policy never)"
logged create-builder "See the message above; the builder config is $OFFLINE/builder.toml." \
	"$work/mkbuilder" -config "$work/stage/builder.toml" -name "$BUILDER_IMAGE" \
	-build-image "$BUILD_IMAGE" -run-image "$RUN_IMAGE"
note "builder created in $(elapsed "$t")"

tag_current
if [ "${QUAYSIDE_BUILDER_KEEP:-}" != 1 ] && [ "$NAME" = "$TAG" ]; then
	prune "${PREFIX}builder" "$TAG-$builder_hash"
	prune "${PREFIX}build" "$TAG-$build_hash"
	prune "${PREFIX}run" "$TAG-$run_hash"
fi

log "done in $(elapsed "$start")"
status ready "${PREFIX}builder:$NAME made in $(elapsed "$start")"
note "$(printf '%-40s %s' "$RUN_IMAGE" "$(image_size "$RUN_IMAGE")")"
note "$(printf '%-40s %s' "$BUILD_IMAGE" "$(image_size "$BUILD_IMAGE")")"
note "$(printf '%-40s %s' "$BUILDER_IMAGE" "$(image_size "$BUILDER_IMAGE")")"
note "$(printf '%-40s %s' "$LIFECYCLE_IMAGE" "$(image_size "$LIFECYCLE_IMAGE")")"
if [ "$NAME" = "$TAG" ]; then
	note "tagged ${PREFIX}builder:$TAG, ${PREFIX}build:$TAG, ${PREFIX}run:$TAG, ${PREFIX}lifecycle:$LC_VERSION"
else
	note "tagged ${PREFIX}builder:$NAME"
fi
