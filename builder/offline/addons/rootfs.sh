#!/bin/sh
# rootfs.sh: turn the root file system of the offline run image
# (quayside/run:offline, debootstrapped bookworm) into the root file system of
# one add-on image. scripts/make-addons.sh runs it as root. Packages come from
# the Debian mirror of the run image's apt sources (or the mirrors given) and
# are installed in a chroot, never inside a container.
#
#   rootfs.sh postgres|redis DIR [MIRROR [SECURITY_MIRROR]]
#
# It removes what the add-on does not need (python3, nodejs, the user cnb),
# makes the service's user with uid/gid 999 (as the official images do),
# installs packages-KIND.txt, sets the add-on up (setup_KIND) and installs
# its entrypoint. The last line printed holds `LABEL` lines naming the Debian
# package versions, for docker import.
set -eu

usage() {
	echo "usage: rootfs.sh postgres|redis DIR [MIRROR [SECURITY_MIRROR]]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
kind=$1 dir=$2 mirror=${3:-} security=${4:-}
mounted=0
case $kind in postgres | redis) ;; *) usage ;; esac
[ -d "$dir/etc/apt" ] || {
	echo "rootfs.sh: $dir holds no root file system" >&2
	exit 2
}

# packages prints the package names of a list file, one a line.
packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$1"; }

# in_root runs a command inside the root file system with a clean environment.
in_root() {
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "$@"
}

# enter prepares the chroot: /proc, DNS, no service starts, no fsync per file.
enter() {
	mount -t proc proc "$dir/proc"
	mounted=1
	rm -f "$dir/etc/resolv.conf"
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	echo force-unsafe-io >"$dir/etc/dpkg/dpkg.cfg.d/00quayside-unsafe-io"
}

leave() {
	if [ "$mounted" = 1 ]; then
		umount "$dir/proc" || umount -l "$dir/proc"
		mounted=0
	fi
}
trap leave EXIT
trap 'exit 130' INT TERM

# configure_apt points apt at the mirrors given; without them the run image's
# own sources (the mirror it was debootstrapped from) stay.
configure_apt() {
	[ -n "$mirror" ] || return 0
	{
		printf 'deb %s bookworm main\n' "$mirror"
		printf 'deb %s bookworm-updates main\n' "$mirror"
		if [ -n "$security" ]; then
			printf 'deb %s bookworm-security main\n' "$security"
		fi
	} >"$dir/etc/apt/sources.list"
}

# strip removes the run image's language runtimes and its app user.
strip() {
	in_root userdel --remove cnb 2>/dev/null || true
	in_root apt-get purge -y -q --autoremove 'python3*' 'libpython3*' nodejs 'libnode*'
}

# add_user makes the service's user and group, uid/gid 999, home $2.
add_user() {
	in_root groupadd --system --gid 999 "$1"
	in_root useradd --system --uid 999 --gid 999 --home-dir "$2" --no-create-home --shell /bin/bash "$1"
}

setup_postgres() {
	add_user postgres /var/lib/postgresql
	# No cluster of Debian's own: the entrypoint makes one in $PGDATA.
	in_root apt-get install -y -q postgresql-common
	sed -i 's/^#\{0,1\}[[:space:]]*create_main_cluster.*/create_main_cluster = false/' \
		"$dir/etc/postgresql-common/createcluster.conf"
	# No JIT: its bitcode is left out, and LLVM replaced below.
	cat >"$dir/etc/dpkg/dpkg.cfg.d/90quayside-nojit" <<-'CFG'
		path-exclude /usr/lib/postgresql/*/lib/bitcode/*
		path-exclude /usr/lib/postgresql/*/lib/llvmjit*
	CFG
	install_packages
	drop_llvm
	conf=$dir/usr/share/postgresql/15/postgresql.conf.sample
	sed -i -e "s/^#\{0,1\}listen_addresses = .*/listen_addresses = '*'/" -e 's/^#\{0,1\}jit = on/jit = off/' "$conf"
	grep -q "^listen_addresses = '\*'" "$conf"
	grep -q '^jit = off' "$conf"
	mkdir -p "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql" "$dir/docker-entrypoint-initdb.d"
	in_root chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
	chmod 700 "$dir/var/lib/postgresql/data"
	chmod 3777 "$dir/var/run/postgresql"
	# ssl-cert made a private key at build time, the same in every image: no
	# server should use it.
	rm -f "$dir/etc/ssl/private/ssl-cert-snakeoil.key" "$dir/etc/ssl/certs/ssl-cert-snakeoil.pem"
}

# drop_llvm replaces libllvm14 (105 MB, and 23 MB of libz3 it pulls in),
# which only Postgres's JIT uses, with an empty package of a higher version,
# held: dpkg's database stays consistent, so apt works in images made FROM
# this one.
drop_llvm() {
	# shellcheck disable=SC2016 # dpkg-query expands ${Version}
	v=$(in_root dpkg-query -W -f '${Version}' libllvm14)+quayside1
	arch=$(in_root dpkg --print-architecture)
	pkg=$dir/tmp/libllvm14-standin
	mkdir -p "$pkg/DEBIAN"
	cat >"$pkg/DEBIAN/control" <<-CTL
		Package: libllvm14
		Version: $v
		Architecture: $arch
		Maintainer: Quayside <quayside@localhost>
		Section: libs
		Priority: optional
		Description: empty stand-in for LLVM 14
		 quayside/postgres runs without JIT (jit = off), the one user of LLVM.
	CTL
	in_root dpkg-deb --build /tmp/libllvm14-standin /tmp/libllvm14.deb
	in_root dpkg -i /tmp/libllvm14.deb
	in_root apt-mark hold libllvm14
	in_root apt-get autoremove --purge -y -q
	rm -rf "$pkg" "$dir/tmp/libllvm14.deb"
}

setup_redis() {
	add_user redis /data
	install_packages
	mkdir -p "$dir/data"
	in_root chown redis:redis /data
}

install_packages() {
	# shellcheck disable=SC2046 # one word per package is intended
	in_root apt-get install -y -q $(packages "$here/packages-$kind.txt")
}

# slim removes what the service does not need.
slim() {
	in_root apt-get clean
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
		"$dir"/var/cache/debconf/*-old "$dir"/var/lib/dpkg/*-old \
		"$dir"/tmp/* "$dir"/var/tmp/* "$dir"/root/.cache \
		"$dir/usr/sbin/policy-rc.d" "$dir/etc/dpkg/dpkg.cfg.d/00quayside-unsafe-io" \
		"$dir/usr/share/man" "$dir/usr/share/info"
	find "$dir/var/log" -type f -delete
	find "$dir/usr/share/doc" ! -type d ! -name copyright -delete
	find "$dir/usr/share/doc" -depth -type d -empty -delete
	: >"$dir/etc/resolv.conf"
}

# labels prints one `LABEL` line a package of the list: its installed version.
labels() {
	packages "$here/packages-$kind.txt" | while IFS= read -r p; do
		# shellcheck disable=SC2016 # dpkg-query expands ${Version}
		v=$(in_root dpkg-query -W -f '${Version}' "$p")
		printf 'LABEL org.quayside.addon.debian.%s=%s\n' "$p" "$v"
	done
}

configure_apt
enter
in_root apt-get update -q
in_root apt-get dist-upgrade -y -q
strip
"setup_$kind"
install -m 755 "$here/$kind/docker-entrypoint.sh" "$dir/usr/local/bin/docker-entrypoint.sh"
labels >"$dir/.quayside-labels"
slim
leave
echo "rootfs.sh: $kind root file system ready in $dir ($(du -sh "$dir" | cut -f1))"
