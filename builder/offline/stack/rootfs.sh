#!/bin/sh
# rootfs.sh: make the Debian bookworm root file systems of Quayside's offline
# CNB stack. scripts/make-builder.sh runs it as root. Packages come from the
# Debian mirror it is given and are installed in a chroot (never inside a
# container, which may not reach the mirror).
#
#   rootfs.sh run   DIR MIRROR [SECURITY_MIRROR]
#       debootstrap --variant=minbase bookworm into DIR (which must not exist),
#       install packages-run.txt and add the user cnb (uid/gid 1000).
#   rootfs.sh build DIR MIRROR [SECURITY_MIRROR]
#       add packages-build.txt to the run root file system in DIR, and a Go
#       build cache holding the compiled standard library.
#
# Docs, man pages, locales and apt caches are left out to keep images small.
#
# With QUAYSIDE_DEB_CACHE=DIR (an absolute path) the downloaded packages are
# kept in DIR (debootstrap/ and apt/) and taken from there next time, so a
# rebuild fetches only what changed; packages the new root file system does
# not hold are removed from it.
#
# Each step done is printed with its time to the standard output and, when
# it is open, to file descriptor 3 (make-builder.sh shows those lines while
# the rest goes to a log).
set -eu

usage() {
	echo "usage: rootfs.sh run|build DIR MIRROR [SECURITY_MIRROR]" >&2
	exit 2
}

[ $# -ge 3 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
stage=$1 dir=$2 mirror=$3 security=${4:-}
debs=${QUAYSIDE_DEB_CACHE:-}
mounted=0 cache_mounted=0
t=$(date +%s)
if ! { true >&3; } 2>/dev/null; then exec 3>/dev/null; fi

# done_step prints a step done with the seconds since the previous one.
done_step() {
	now=$(date +%s)
	printf '%s (%d s)\n' "$*" $((now - t)) | tee /dev/fd/3
	t=$now
}

# packages prints the package names of a list file, one a line.
packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$1"; }

# in_root runs a command inside the root file system with a clean environment.
in_root() {
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "$@" 3>&-
}

# enter prepares the chroot: /proc, DNS, and no service starts.
enter() {
	mount -t proc proc "$dir/proc"
	mounted=1
	rm -f "$dir/etc/resolv.conf" # may be a symlink: never write through it
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
}

# leave undoes enter; it runs on every exit.
leave() {
	unmount_cache
	if [ "$mounted" = 1 ]; then
		umount "$dir/proc" || umount -l "$dir/proc"
		mounted=0
	fi
}
trap leave EXIT
trap 'exit 130' INT TERM

# configure_apt points apt at the mirror and keeps docs out of the image.
configure_apt() {
	{
		printf 'deb %s bookworm main\n' "$mirror"
		printf 'deb %s bookworm-updates main\n' "$mirror"
		if [ -n "$security" ]; then
			printf 'deb %s bookworm-security main\n' "$security"
		fi
	} >"$dir/etc/apt/sources.list"
	cat >"$dir/etc/apt/apt.conf.d/90quayside" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Dpkg::Use-Pty "0";
EOF
	# dpkg without an fsync per file: the build packages are some 500 small
	# ones, and a half-written root file system is thrown away anyway. slim
	# removes it again.
	echo force-unsafe-io >"$dir/etc/dpkg/dpkg.cfg.d/00quayside-unsafe-io"
	cat >"$dir/etc/dpkg/dpkg.cfg.d/90quayside-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
}

# mount_cache puts the package cache QUAYSIDE_DEB_CACHE/apt where apt keeps
# its downloads in the root file system.
mount_cache() {
	[ -n "$debs" ] || return 0
	mkdir -p "$debs/apt/partial" "$dir/var/cache/apt/archives"
	mount --bind "$debs/apt" "$dir/var/cache/apt/archives"
	cache_mounted=1
}

unmount_cache() {
	if [ "$cache_mounted" = 1 ]; then
		umount "$dir/var/cache/apt/archives" || umount -l "$dir/var/cache/apt/archives"
		cache_mounted=0
	fi
}

# prune_cache removes from the package cache directory $1 the .deb files of
# package versions the root file system does not hold, so the cache does not
# grow with every Debian update.
prune_cache() {
	# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
	in_root dpkg-query -W -f '${Package}_${Version}_${Architecture}.deb\n' |
		sed 's/:/%3a/g' | LC_ALL=C sort >"$dir/tmp/installed-debs"
	find "$1" -maxdepth 1 -name '*.deb' | while IFS= read -r f; do
		if ! grep -qxF "${f##*/}" "$dir/tmp/installed-debs"; then rm -f "$f"; fi
	done
	rm -f "$dir/tmp/installed-debs"
}

# count_debs prints how many packages the root file system holds.
count_debs() { in_root dpkg-query -W -f '.\n' | wc -l; }

# install_packages installs the packages of a list file, with security fixes.
install_packages() {
	in_root apt-get update -q
	mount_cache
	in_root apt-get dist-upgrade -y -q
	# shellcheck disable=SC2046 # one word per package is intended
	in_root apt-get install -y -q $(packages "$1")
	unmount_cache
}

# debootstrap_root makes the minbase root file system, with the packages
# cached in QUAYSIDE_DEB_CACHE/debootstrap when that is set.
debootstrap_root() {
	if [ -z "$debs" ]; then
		debootstrap --variant=minbase bookworm "$dir" "$mirror" 3>&-
		return
	fi
	mkdir -p "$debs/debootstrap"
	debootstrap --variant=minbase --cache-dir="$debs/debootstrap" bookworm "$dir" "$mirror" 3>&-
	# Before any upgrade: the cache keeps what debootstrap installs.
	prune_cache "$debs/debootstrap"
}

# add_user makes the non-root user buildpacks and apps run as.
add_user() {
	in_root groupadd --gid 1000 cnb
	in_root useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash cnb
}

# warm_go_cache compiles Go's standard library the way the go buildpack
# compiles (CGO_ENABLED=0, -trimpath) into a seed build cache. The buildpack
# copies it into an app's empty Go build cache, so a first build compiles only
# the app (seconds instead of a minute or more).
warm_go_cache() {
	in_root GOCACHE=/opt/quayside/go-cache-seed CGO_ENABLED=0 GOFLAGS= GOTOOLCHAIN=local \
		GOPROXY=off go build -trimpath std
	chmod -R a+rX "$dir/opt/quayside"
}

# slim removes what neither builds nor apps need.
slim() {
	in_root apt-get clean
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
		"$dir"/var/cache/debconf/*-old "$dir"/var/lib/dpkg/*-old \
		"$dir"/tmp/* "$dir"/var/tmp/* "$dir"/root/.cache \
		"$dir/usr/sbin/policy-rc.d" "$dir/.dockerenv" "$dir/etc/dpkg/dpkg.cfg.d/00quayside-unsafe-io" \
		"$dir/usr/share/man" "$dir/usr/share/info" "$dir/usr/share/groff" \
		"$dir/usr/share/lintian"
	find "$dir/var/log" -type f -delete
	find "$dir/usr/share/doc" ! -type d ! -name copyright -delete
	find "$dir/usr/share/doc" -depth -type d -empty -delete
	find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
	: >"$dir/etc/resolv.conf" # Docker provides one at run time
}

case $stage in
run)
	if [ -e "$dir" ]; then
		echo "rootfs.sh: $dir exists; give a new directory" >&2
		exit 2
	fi
	debootstrap_root
	done_step "debootstrap: minbase bookworm, $(count_debs) packages"
	configure_apt
	enter
	install_packages "$here/packages-run.txt"
	add_user
	done_step "run packages installed: $(count_debs) packages in all"
	;;
build)
	[ -d "$dir/etc/apt" ] || {
		echo "rootfs.sh: $dir holds no root file system" >&2
		exit 2
	}
	configure_apt
	enter
	install_packages "$here/packages-build.txt"
	if [ -n "$debs" ]; then prune_cache "$debs/apt"; fi
	done_step "build packages installed: $(count_debs) packages in all"
	warm_go_cache
	done_step "Go standard library precompiled"
	;;
*)
	usage
	;;
esac
slim
leave
echo "rootfs.sh: $stage root file system ready in $dir ($(du -sh "$dir" | cut -f1))"
