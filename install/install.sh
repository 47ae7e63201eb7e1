#!/bin/sh
# install.sh: install, upgrade or remove Quayside on a Debian or Ubuntu server.
#
# Install, or upgrade in place (run it again: data and settings are kept):
#   curl -fsSL https://quayside.example.com/install.sh | sudo sh -s -- --domain example.com --email you@example.com
#   sudo sh install.sh              # on a terminal it asks for what is missing
# Add a node to a cluster (on the new machine; the server's
# `quayside cluster join-command` prints the whole line):
#   curl -fsSL https://quayside.example.com/install.sh | sudo sh -s -- --join "--token SWMTKN-... --registry 10.0.0.1:5443 --registry-ca-sha256 ... 10.0.0.1:2377"
# Remove:
#   sudo sh install.sh --uninstall           # service and binary; data and settings stay
#   sudo sh install.sh --uninstall --purge   # also data, settings, the user and the apps' containers
#
# Steps, in order. Nothing on the system changes until every check has passed
# and the binary's SHA-256 matches:
#   1. checks: root, OS, CPU architecture, free ports 80/443/2222, disk, memory
#   2. settings: domain and e-mail from flags, environment, the settings of an
#      earlier install, or questions on a terminal
#   3. the binary: downloaded (or QUAYSIDE_BINARY) and verified: the release's
#      SHA256SUMS must carry the release key's ed25519 signature (SHA256SUMS.sig,
#      checked with openssl, installed from apt when missing), and the binary's
#      SHA-256 must match its line there
#   4. packages: git, and Docker (docker.io) when no Docker daemon answers
#   5. the user quayside, the data dir /var/lib/quayside (0700), the settings
#      file /etc/quayside/quayside.env
#   6. /usr/local/bin/quayside, the systemd unit quayside.service: enabled, (re)started
#   7. the first admin, the dashboard URL, and the lines for a first git push
#
# Run `sh install.sh --help` for the options and environment variables.
set -eu

BIN=/usr/local/bin/quayside
DATA=/var/lib/quayside
CONF_DIR=/etc/quayside
CONF=$CONF_DIR/quayside.env
UNIT=/etc/systemd/system/quayside.service
WANTS=/etc/systemd/system/multi-user.target.wants/quayside.service
SERVICE_USER=quayside
PORTS="80 443 2222"
SSH_PORT=2222
RELEASES=https://github.com/quayside/quayside/releases
# The public half of the key that signs releases (base64 of its 32 bytes);
# install/upgrade.ReleaseKey holds the same. QUAYSIDE_PUBKEY replaces it for
# a self-built release.
RELEASE_KEY=Ud9c6QnDpq5ZIvvj5SzbqiU9+wvLf5/w6rWwLPNEsKs=
MAX_BINARY_BYTES=209715200 # 200 MiB: a download past this is refused
START_TIMEOUT=60   # seconds the daemon has to answer on its control socket
MIN_DISK_MB=2048   # below this the install stops; below WARN_DISK_MB it warns
WARN_DISK_MB=10240
MIN_MEM_MB=450     # a "512 MB" server reports about 480 MiB
WARN_MEM_MB=900

usage() {
	cat <<'EOF'
Install, upgrade or remove Quayside (git push deploys to your own server).

Usage: sudo sh install.sh [options]
       curl -fsSL https://quayside.<domain>/install.sh | sudo sh -s -- [options]

Options (flags win over the environment variables beside them):
  --domain D        QUAYSIDE_DOMAIN       Apps answer at <app>.D, the dashboard at quayside.D.
                                          Default: <public-ip>.sslip.io (works without DNS).
  --email E         QUAYSIDE_ACME_EMAIL   Contact for Let's Encrypt; also the first admin.
  --admin-email E   QUAYSIDE_ADMIN_EMAIL  The first admin, when not the --email.
  --version V       QUAYSIDE_VERSION      Release to install, such as v1.2.0 (default: the latest).
  --yes             QUAYSIDE_YES=1        Ask nothing, even on a terminal.
  --join 'ARGS'                           Make this machine a node of a Quayside cluster instead:
                                          install Docker and the binary (no service, no data) and run
                                          `quayside cluster join ARGS`, the arguments the server's
                                          `quayside cluster join-command` prints.
  --uninstall                             Remove the service and the binary; keep data and settings.
  --purge                                 With --uninstall: also remove data, settings, the user
                                          quayside and the apps' containers, networks and images.
  -h, --help                              Show this help.

Environment only:
  QUAYSIDE_BINARY=/path   Install this file instead of downloading (air-gapped servers).
  QUAYSIDE_RELEASE_URL    Where the release files are: quayside-linux-<arch>, SHA256SUMS and
                          SHA256SUMS.sig; https:// or file:// only
                          (default: https://github.com/quayside/quayside/releases/latest/download).
  QUAYSIDE_SHA256         Expected SHA-256 of the binary, vouched for by you (instead of the
                          signed SHA256SUMS; checked for QUAYSIDE_BINARY too).
  QUAYSIDE_PUBKEY         The public key releases are signed with (base64 of the 32-byte ed25519
                          key), for a self-built release; default: the built-in release key.
  QUAYSIDE_PUBLIC_IP      This server's public IPv4 address, for the sslip.io default domain.
  sudo drops the environment: put the variables after it, such as
  curl -fsSL <url> | sudo QUAYSIDE_VERSION=v1.2.0 sh

Files: /usr/local/bin/quayside, /etc/systemd/system/quayside.service,
/etc/quayside/quayside.env (settings: lines you add there are kept on upgrades),
/var/lib/quayside (data).
EOF
}

# ---------------------------------------------------------------------------
# Output and small helpers
# ---------------------------------------------------------------------------

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}
has() { command -v "$1" >/dev/null 2>&1; }

# systemd_running reports whether systemd is the init system here (what
# sd_booted checks). It is not in most containers.
systemd_running() { [ -d /run/systemd/system ]; }

service_active() { systemd_running && systemctl is-active --quiet quayside.service; }

# interactive reports whether questions can be asked: a person at a terminal.
# With `curl ... | sh` standard input is the script, so questions use /dev/tty.
interactive() {
	[ "$YES" != 1 ] && [ -t 1 ] && (: </dev/tty) 2>/dev/null
}

# ask prints a question on the terminal and sets ANSWER.
ask() {
	printf '%s ' "$1" >/dev/tty
	IFS= read -r ANSWER </dev/tty || ANSWER=
}

# logged runs a command with its output in $WORK/NAME.log; when it fails it
# shows the end of the log and stops with the hint.
logged() {
	name=$1 hint=$2
	shift 2
	if ! "$@" </dev/null >"$WORK/$name.log" 2>&1; then
		tail -n 30 "$WORK/$name.log" >&2
		die "$name failed (the last lines of its output are above). $hint"
	fi
}

cleanup() {
	status=$?
	if [ -n "${STAGED:-}" ]; then rm -f "$STAGED"; fi
	if [ -n "${WORK:-}" ]; then rm -rf "$WORK"; fi
	exit "$status"
}

# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

ACTION=install PURGE=0 JOIN=''
DOMAIN=${QUAYSIDE_DOMAIN:-}
EMAIL=${QUAYSIDE_ACME_EMAIL:-}
ADMIN_EMAIL=${QUAYSIDE_ADMIN_EMAIL:-}
VERSION=${QUAYSIDE_VERSION:-}
YES=${QUAYSIDE_YES:-0}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--domain | --email | --admin-email | --version)
			[ $# -ge 2 ] || die "$1 needs a value, for example: $1 $(example_value "$1")"
			set_option "$1" "$2"
			shift 2
			;;
		--domain=* | --email=* | --admin-email=* | --version=*)
			set_option "${1%%=*}" "${1#*=}"
			shift
			;;
		--join)
			[ $# -ge 2 ] || die "--join needs the arguments that \`quayside cluster join-command\` prints on the server"
			ACTION=join JOIN=$2
			shift 2
			;;
		--join=*) ACTION=join JOIN=${1#*=} && shift ;;
		--uninstall) ACTION=uninstall && shift ;;
		--purge) PURGE=1 && shift ;;
		--yes | -y) YES=1 && shift ;;
		-h | --help) usage && exit 0 ;;
		*) die "unknown option $1 (sh install.sh --help lists them)" ;;
		esac
	done
	if [ "$PURGE" = 1 ] && [ "$ACTION" != uninstall ]; then
		die "--purge goes with --uninstall: sh install.sh --uninstall --purge"
	fi
	if [ "$ACTION" = join ]; then check_join_args; fi
}

# check_join_args refuses --join values that are not what join-command
# prints (flags, a token, host:port, hex), and settings that belong to a
# server, not a node.
check_join_args() {
	if [ -n "$DOMAIN$EMAIL$ADMIN_EMAIL" ]; then
		die "--join sets up a node, which has no domain or admin: leave out --domain, --email and --admin-email"
	fi
	case $JOIN in
	*--token*) ;;
	*) die "--join needs the arguments that \`quayside cluster join-command\` prints on the server (they hold --token)" ;;
	esac
	if printf '%s\n' "$JOIN" | grep -q '[^]A-Za-z0-9 .:_=/[-]'; then
		die "--join holds characters join-command never prints; copy its line again"
	fi
}

set_option() {
	case $1 in
	--domain) DOMAIN=$2 ;;
	--email) EMAIL=$2 ;;
	--admin-email) ADMIN_EMAIL=$2 ;;
	--version) VERSION=$2 ;;
	esac
}

example_value() {
	case $1 in
	--domain) echo example.com ;;
	--version) echo v1.0.0 ;;
	*) echo you@example.com ;;
	esac
}

# ---------------------------------------------------------------------------
# 1. Checks (nothing changes here)
# ---------------------------------------------------------------------------

check_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	die "this installer needs root: it installs packages, a system user and a systemd service.
Run it with sudo:
  curl -fsSL <url of install.sh> | sudo sh -s -- [options]
  sudo sh install.sh [options]"
}

# check_os sets OS_NAME. Debian, Ubuntu and systems built on them pass.
check_os() {
	[ -r /etc/os-release ] || die "cannot tell which system this is (no /etc/os-release).
This installer supports Debian and Ubuntu."
	# shellcheck disable=SC1091 # the file is the running system's
	OS_ID=$(. /etc/os-release && printf '%s' "${ID:-}")
	# shellcheck disable=SC1091
	OS_LIKE=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
	# shellcheck disable=SC1091
	OS_NAME=$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-${ID:-unknown}}")
	case " $OS_ID " in
	" debian " | " ubuntu ") note "system: $OS_NAME" && return 0 ;;
	esac
	case " $OS_LIKE " in
	*" debian "* | *" ubuntu "*)
		note "system: $OS_NAME (based on Debian or Ubuntu: installing as on Debian)"
		return 0
		;;
	esac
	die "$OS_NAME is not supported by this installer: it knows Debian and Ubuntu (apt, their Docker package).
Quayside itself runs on any Linux with systemd, git and Docker: install those, put the binary at
$BIN and run \`quayside server\` as a user in the group docker (this script's unit_text shows how)."
}

# check_arch sets ARCH to the release name of this CPU architecture.
check_arch() {
	machine=$(uname -m)
	case $machine in
	x86_64 | amd64) ARCH=amd64 ;;
	aarch64 | arm64) ARCH=arm64 ;;
	*) die "CPU architecture $machine is not supported: Quayside is built for amd64 (x86_64) and arm64 (aarch64)." ;;
	esac
	note "architecture: $ARCH"
}

# port_owner prints the name of the program listening on TCP port $1, or
# nothing when the port is free. When the owner cannot be seen (no ss, or no
# right to look into other processes, as in a container) and Quayside runs,
# the listener is taken to be Quayside: it holds 80, 443 and 2222 itself.
port_owner() {
	name=''
	if has ss; then
		out=$(ss -Hltnp "sport = :$1" 2>/dev/null || true)
		[ -n "$out" ] || return 0
		name=$(printf '%s\n' "$out" | sed -n 's/.*users:(("\([^"]*\)".*/\1/p' | head -n 1)
	else
		# Listening sockets (state 0A) in /proc.
		hex=$(printf ':%04X' "$1")
		awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
			END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || return 0
	fi
	if [ -z "$name" ] && service_active; then name=quayside; fi
	printf '%s\n' "${name:-another program}"
}

check_ports() {
	busy='' ours=''
	for port in $PORTS; do
		owner=$(port_owner "$port")
		case $owner in
		'') ;;
		quayside) ours="$ours $port" ;;
		*) busy="$busy $port ($owner)" ;;
		esac
	done
	if [ -z "$busy" ]; then
		if [ -n "$ours" ]; then note "ports$ours: Quayside's own (this is an upgrade)"; else note "ports $PORTS: free"; fi
		return 0
	fi
	die "ports in use:$busy.
Quayside needs 80 and 443 (HTTP and HTTPS in front of the apps) and $SSH_PORT (git push over SSH).
Stop what listens there, for example: systemctl disable --now nginx"
}

check_disk() {
	avail=$(df -Pk /var/lib | awk 'NR == 2 { print int($4 / 1024) }')
	if [ "$avail" -lt "$MIN_DISK_MB" ]; then
		die "only $avail MiB free for /var/lib: Quayside needs at least $MIN_DISK_MB MiB there for Docker images and its data."
	fi
	if [ "$avail" -lt "$WARN_DISK_MB" ]; then
		warn "only $avail MiB free for /var/lib: builds and images fill a disk fast; 10 GiB or more is better."
	fi
	note "disk: $avail MiB free for /var/lib"
}

check_memory() {
	mem=$(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo)
	if [ "$mem" -lt "$MIN_MEM_MB" ]; then
		die "this server has $mem MiB of memory: Quayside and the builds of your apps need at least 512 MB."
	fi
	if [ "$mem" -lt "$WARN_MEM_MB" ]; then
		warn "this server has $mem MiB of memory: builds may run short; 1 GB or more is better (or add swap)."
	fi
	note "memory: $mem MiB"
}

# ---------------------------------------------------------------------------
# 2. Settings: domain and e-mail
# ---------------------------------------------------------------------------

# conf_get prints a setting of an earlier install from the settings file.
conf_get() {
	[ -f "$CONF" ] || return 0
	sed -n "s/^$1=//p" "$CONF" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

is_ipv4() { printf '%s\n' "$1" | grep -Eq '^([0-9]{1,3}\.){3}[0-9]{1,3}$'; }

# is_private reports whether an IPv4 address is not reachable from the internet.
is_private() {
	case $1 in
	10.* | 127.* | 192.168.* | 169.254.* | 172.1[6-9].* | 172.2[0-9].* | 172.3[01].*) return 0 ;;
	100.6[4-9].* | 100.[7-9][0-9].* | 100.1[01][0-9].* | 100.12[0-7].*) return 0 ;;
	esac
	return 1
}

# public_ip prints this server's public IPv4 address, or nothing. It asks
# api.ipify.org only when the local address is a private one (NAT).
public_ip() {
	if [ -n "${QUAYSIDE_PUBLIC_IP:-}" ]; then
		is_ipv4 "$QUAYSIDE_PUBLIC_IP" || die "QUAYSIDE_PUBLIC_IP=$QUAYSIDE_PUBLIC_IP is not an IPv4 address such as 203.0.113.7"
		printf '%s\n' "$QUAYSIDE_PUBLIC_IP"
		return 0
	fi
	addr=''
	if has ip; then
		addr=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1)
	fi
	if [ -z "$addr" ] && has hostname; then
		addr=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | head -n 1 || true)
	fi
	if [ -z "$addr" ] || is_private "$addr"; then
		ext=$(fetch_text https://api.ipify.org 2>/dev/null || true)
		if is_ipv4 "$ext"; then addr=$ext; fi
	fi
	if [ -n "$addr" ] && is_private "$addr"; then
		warn "this server's address $addr is private: the sslip.io names will work only inside its network."
	fi
	printf '%s\n' "$addr"
}

valid_domain() {
	printf '%s\n' "$1" | grep -Eq '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' &&
		[ "${#1}" -le 253 ]
}

valid_email() { printf '%s\n' "$1" | grep -Eq '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$'; }

# resolve_settings sets DOMAIN, EMAIL and ADMIN_EMAIL: flags and environment
# first, then the settings of an earlier install, then questions on a
# terminal, then defaults.
resolve_settings() {
	DOMAIN=${DOMAIN:-$(conf_get QUAYSIDE_DOMAIN)}
	EMAIL=${EMAIL:-$(conf_get QUAYSIDE_ACME_EMAIL)}
	if [ -z "$DOMAIN" ]; then
		ip=$(public_ip)
		if interactive; then
			default=${ip:+$ip.sslip.io}
			ask "Domain for Quayside: apps at <app>.<domain>, the dashboard at quayside.<domain>${default:+ [$default]}:"
			DOMAIN=${ANSWER:-$default}
		elif [ -n "$ip" ]; then
			DOMAIN=$ip.sslip.io
		fi
		[ -n "$DOMAIN" ] || die "found no public IP address for a <ip>.sslip.io name: give a domain with --domain example.com (or QUAYSIDE_PUBLIC_IP=<address>)."
	fi
	if [ -z "$EMAIL" ] && [ -z "$ADMIN_EMAIL" ] && interactive; then
		ask "E-mail for Let's Encrypt and the first admin (empty: none):"
		EMAIL=$ANSWER
	fi
	DOMAIN=$(printf '%s' "$DOMAIN" | LC_ALL=C tr '[:upper:]' '[:lower:]')
	DOMAIN=${DOMAIN%.}
	if ! valid_domain "$DOMAIN" || is_ipv4 "$DOMAIN"; then
		die "--domain $DOMAIN is not a domain name such as example.com (letters, digits, inner hyphens and dots; no scheme, port or path)."
	fi
	if [ -n "$EMAIL" ]; then valid_email "$EMAIL" || die "--email $EMAIL is not an e-mail address such as you@example.com"; fi
	old_domain=$(conf_get QUAYSIDE_DOMAIN)
	if [ -n "$old_domain" ] && [ "$old_domain" != "$DOMAIN" ]; then
		warn "the domain changes from $old_domain to $DOMAIN: every app's address and the push URL change with it."
	fi
	ADMIN_EMAIL=${ADMIN_EMAIL:-$EMAIL}
	ADMIN_EMAIL=${ADMIN_EMAIL:-admin@$DOMAIN}
	valid_email "$ADMIN_EMAIL" || die "--admin-email $ADMIN_EMAIL is not an e-mail address such as you@example.com"
	note "domain: $DOMAIN (apps at <app>.$DOMAIN)"
	note "e-mail for Let's Encrypt: ${EMAIL:-none}"
}

# ---------------------------------------------------------------------------
# 3. The binary: fetched and verified before anything is installed
# ---------------------------------------------------------------------------

# fetch downloads URL $1 to file $2 with curl or wget (curl also reads
# file://), over https only, and refuses more than MAX_BINARY_BYTES.
fetch() {
	if has curl; then
		curl -fsSL --retry 3 --connect-timeout 10 --proto '=https,file' --proto-redir '=https' \
			--max-filesize "$MAX_BINARY_BYTES" -o "$2" "$1" || return 1
	elif has wget; then
		wget -q -T 30 -O "$2" "$1" || return 1
	else
		die "neither curl nor wget is here to download $1: apt-get install curl, then run this again."
	fi
	[ "$(wc -c <"$2")" -le "$MAX_BINARY_BYTES" ] ||
		die "$1 is larger than $MAX_BINARY_BYTES bytes, more than any Quayside binary. Nothing was changed."
}

fetch_text() {
	if has curl; then
		curl -fsS --max-time 5 "$1"
	elif has wget; then
		wget -q -T 5 -O - "$1"
	else
		return 1
	fi
}

release_url() {
	if [ -n "${QUAYSIDE_RELEASE_URL:-}" ]; then
		case $QUAYSIDE_RELEASE_URL in
		https://* | file://*) ;;
		*) die "QUAYSIDE_RELEASE_URL=$QUAYSIDE_RELEASE_URL is not an https:// or file:// URL: releases are downloaded over https only." ;;
		esac
		printf '%s\n' "${QUAYSIDE_RELEASE_URL%/}"
	elif [ -n "$VERSION" ]; then
		printf '%s/download/%s\n' "$RELEASES" "$VERSION"
	else
		printf '%s/latest/download\n' "$RELEASES"
	fi
}

# get_binary puts the binary for ARCH in $WORK/quayside and sets WANT_SHA to
# the SHA-256 it must have: QUAYSIDE_SHA256, else its line in the release's
# SHA256SUMS once that file's signature is verified (empty only for a
# QUAYSIDE_BINARY without QUAYSIDE_SHA256).
get_binary() {
	WANT_SHA=${QUAYSIDE_SHA256:-}
	if [ -n "${QUAYSIDE_BINARY:-}" ]; then
		[ -f "$QUAYSIDE_BINARY" ] || die "QUAYSIDE_BINARY=$QUAYSIDE_BINARY is not a file."
		step "using the local binary $QUAYSIDE_BINARY"
		cp "$QUAYSIDE_BINARY" "$WORK/quayside"
		return 0
	fi
	base=$(release_url)
	file=quayside-linux-$ARCH
	if [ -z "$WANT_SHA" ]; then
		fetch "$base/SHA256SUMS" "$WORK/SHA256SUMS" ||
			die "could not download $base/SHA256SUMS to verify the binary. Check the network, or the version (--version), or set QUAYSIDE_RELEASE_URL."
		fetch "$base/SHA256SUMS.sig" "$WORK/SHA256SUMS.sig" ||
			die "could not download $base/SHA256SUMS.sig, the signature of SHA256SUMS: releases are signed, so nothing was changed."
		verify_sums "$WORK/SHA256SUMS" "$WORK/SHA256SUMS.sig"
		WANT_SHA=$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1; exit }' "$WORK/SHA256SUMS")
		[ -n "$WANT_SHA" ] || die "$base/SHA256SUMS has no line for $file: the release has no binary for $ARCH."
	fi
	step "downloading $base/$file"
	fetch "$base/$file" "$WORK/quayside" ||
		die "could not download $base/$file. Check the network, or the version (--version), or set QUAYSIDE_RELEASE_URL."
}

# release_key_pem writes the trusted public key (QUAYSIDE_PUBKEY, else
# RELEASE_KEY) to file $1 as PEM: the base64 of the ed25519 key's fixed
# SubjectPublicKeyInfo prefix (12 bytes) followed by that of the key.
release_key_pem() {
	key=${QUAYSIDE_PUBKEY:-$RELEASE_KEY}
	printf '%s\n' "$key" | grep -Eq '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$' ||
		die "QUAYSIDE_PUBKEY=$key is not an ed25519 public key (the base64 of its 32 bytes)."
	printf -- '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA%s\n-----END PUBLIC KEY-----\n' "$key" >"$1"
}

# verify_sums stops unless file $2 (base64 on one line) is the trusted
# key's ed25519 signature of file $1. It needs OpenSSL 3 (pkeyutl -rawin),
# installed from apt when missing.
verify_sums() {
	has openssl || apt_install openssl
	release_key_pem "$WORK/release-key.pem"
	base64 -d <"$2" >"$WORK/signature.bin" 2>/dev/null ||
		die "the signature of SHA256SUMS is not base64: the release is damaged or was tampered with. Nothing was changed."
	openssl pkeyutl -verify -pubin -inkey "$WORK/release-key.pem" -rawin -in "$1" -sigfile "$WORK/signature.bin" >/dev/null 2>&1 ||
		die "the signature of SHA256SUMS does not verify with the release key, so nothing was installed.
The release was tampered with or signed by someone else (for a self-built release, set QUAYSIDE_PUBKEY).
Nothing was changed."
	note "signature of SHA256SUMS verified"
}

# verify_binary stops unless the binary's SHA-256 is WANT_SHA, then stages
# it beside $BIN (exec is allowed there, /tmp may be noexec) and checks that
# it runs. NEW_VERSION is what it says it is.
verify_binary() {
	got=$(sha256sum "$WORK/quayside" | cut -d' ' -f1)
	if [ -n "$WANT_SHA" ]; then
		want=$(printf '%s' "$WANT_SHA" | LC_ALL=C tr '[:upper:]' '[:lower:]')
		[ "$got" = "$want" ] || die "the binary's SHA-256 does not match, so it was not installed.
  expected: $want
  got:      $got
The download is damaged or not the release it claims to be. Nothing was changed."
		note "SHA-256 verified: $got"
	else
		note "SHA-256: $got (local file; set QUAYSIDE_SHA256 to have it checked)"
	fi
	mkdir -p "$(dirname "$BIN")"
	rm -f "$(dirname "$BIN")"/.quayside-install.* # left by an interrupted run
	STAGED=$(mktemp "$(dirname "$BIN")/.quayside-install.XXXXXX")
	cp "$WORK/quayside" "$STAGED"
	chmod 0755 "$STAGED"
	NEW_VERSION=$("$STAGED" version 2>/dev/null) ||
		die "the binary does not run on this machine (built for another architecture, or damaged). Nothing was changed."
	note "binary: $NEW_VERSION"
}

# ---------------------------------------------------------------------------
# 4. Packages: git and Docker
# ---------------------------------------------------------------------------

apt_install() {
	step "installing $* from $OS_NAME's packages (apt)"
	export DEBIAN_FRONTEND=noninteractive
	logged apt-update "Check the apt sources and the network." apt-get update -q
	logged apt-install "Install them yourself: apt-get install $*" apt-get install -y -q "$@"
}

docker_answers() { has docker && docker info >/dev/null 2>&1; }

install_packages() {
	need=''
	has git || need="$need git"
	if ! docker_answers && ! has dockerd; then need="$need docker.io"; fi
	if [ -n "$need" ]; then
		# shellcheck disable=SC2086 # one word per package
		apt_install $need
	else
		note "git and Docker are installed"
	fi
}

# ensure_docker makes sure a Docker daemon answers, starting it with systemd
# when it is installed but stopped. Without systemd it says what to do.
ensure_docker() {
	if docker_answers; then
		note "Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '') answers"
		return 0
	fi
	if ! systemd_running; then
		warn "Docker does not answer and systemd does not run here to start it: start dockerd before Quayside."
		return 0
	fi
	step "starting Docker"
	systemctl enable --now docker.service >/dev/null 2>&1 || true
	deadline=$(($(date +%s) + 60))
	until docker_answers; do
		[ "$(date +%s)" -lt "$deadline" ] || die "Docker does not answer after 60 s. See: journalctl -u docker -n 50"
		sleep 1
	done
	note "Docker answers"
}

# ---------------------------------------------------------------------------
# 5. User, data dir, settings
# ---------------------------------------------------------------------------

nologin_shell() {
	for s in /usr/sbin/nologin /sbin/nologin; do
		[ -x "$s" ] && echo "$s" && return 0
	done
	echo /bin/false
}

# ensure_user creates the system user that runs the daemon.
#
# It is in the group docker because Quayside drives the Docker daemon for every
# build and deploy. Membership in docker is root-equivalent: whoever can talk
# to the Docker socket can start a container that mounts / read-write. It is
# still the least privilege that works, and less than running as root: the
# daemon, git and the hooks it runs cannot touch the host's files or processes
# directly, only through the Docker API.
ensure_user() {
	step "the user $SERVICE_USER (in the group docker) and the data dir $DATA"
	getent group docker >/dev/null || groupadd --system docker
	if ! id "$SERVICE_USER" >/dev/null 2>&1; then
		useradd --system --user-group --home-dir "$DATA" --no-create-home \
			--shell "$(nologin_shell)" --comment "Quayside" "$SERVICE_USER"
	fi
	usermod -a -G docker "$SERVICE_USER"
	sock=/var/run/docker.sock
	if [ -S "$sock" ] && [ "$(stat -c %g "$sock")" != "$(getent group docker | cut -d: -f3)" ]; then
		warn "$sock belongs to group $(stat -c %G "$sock"), not docker: the user $SERVICE_USER may not reach Docker."
	fi
	mkdir -p "$DATA"
	chown "$SERVICE_USER:$SERVICE_USER" "$DATA"
	chmod 0700 "$DATA"
	note "$(id "$SERVICE_USER")"
}

# write_conf writes the settings file: the keys the installer manages are
# replaced, every other line (comments, settings added by hand) is kept.
write_conf() {
	mkdir -p "$CONF_DIR"
	chmod 0755 "$CONF_DIR"
	tmp=$(mktemp "$CONF_DIR/.quayside.env.XXXXXX")
	if [ -f "$CONF" ]; then
		grep -Ev '^(QUAYSIDE_DATA|QUAYSIDE_DOMAIN|QUAYSIDE_ACME_EMAIL)=' "$CONF" >"$tmp" || true
	else
		cat >"$tmp" <<'EOF'
# Quayside's settings, read by quayside.service (systemd EnvironmentFile).
# Every flag of `quayside server --help` has a variable, such as
# QUAYSIDE_LOG_LEVEL=debug. The installer rewrites QUAYSIDE_DATA,
# QUAYSIDE_DOMAIN and QUAYSIDE_ACME_EMAIL and keeps every other line.
# After a change: systemctl restart quayside
EOF
	fi
	{
		echo "QUAYSIDE_DATA=$DATA"
		echo "QUAYSIDE_DOMAIN=$DOMAIN"
		if [ -n "$EMAIL" ]; then echo "QUAYSIDE_ACME_EMAIL=$EMAIL"; fi
	} >>"$tmp"
	chmod 0600 "$tmp"
	mv -f "$tmp" "$CONF"
	note "settings: $CONF"
}

# ---------------------------------------------------------------------------
# 6. Binary, systemd unit, start
# ---------------------------------------------------------------------------

install_binary() {
	OLD_VERSION=''
	if [ -x "$BIN" ]; then OLD_VERSION=$("$BIN" version 2>/dev/null || echo 'unknown version'); fi
	mv -f "$STAGED" "$BIN" # a rename: the running daemon keeps its old file until restarted
	STAGED=''
	if [ -n "$OLD_VERSION" ]; then
		step "upgraded $BIN: $OLD_VERSION -> $NEW_VERSION"
	else
		step "installed $BIN ($NEW_VERSION)"
	fi
}

unit_text() {
	cat <<EOF
# Quayside: git push deploys to this server. Written by install.sh, which
# rewrites it on every run: change settings in $CONF, or
# override this unit with \`systemctl edit quayside\`.
[Unit]
Description=Quayside (git push deploys)
Documentation=https://github.com/quayside/quayside
After=network-online.target docker.service
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
EnvironmentFile=$CONF
ExecStart=$BIN server
Restart=always
RestartSec=2s
TimeoutStopSec=90s
# Bind 80 and 443 without root; the capability is the only one it keeps.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
# The file system is read-only but for the data dir. git and the hooks run
# as child processes, so exec stays allowed.
ProtectSystem=strict
ReadWritePaths=$DATA
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
UMask=0077
LimitNOFILE=1048576
TasksMax=4096

[Install]
WantedBy=multi-user.target
EOF
}

write_unit() {
	mkdir -p "$(dirname "$UNIT")"
	tmp=$(mktemp "$(dirname "$UNIT")/.quayside.service.XXXXXX")
	unit_text >"$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$UNIT"
	note "unit: $UNIT"
}

enable_unit() {
	if systemd_running; then systemctl daemon-reload; fi
	if has systemctl; then
		logged systemctl-enable "Enable it yourself: systemctl enable quayside" systemctl enable quayside.service
	else
		mkdir -p "$(dirname "$WANTS")"
		ln -sf "$UNIT" "$WANTS"
	fi
	note "enabled: quayside starts at boot"
}

# start_service (re)starts the daemon and waits until it answers on its
# control socket. STARTED says whether it runs.
start_service() {
	STARTED=0
	if ! systemd_running; then
		warn "systemd is not running here (no /run/systemd/system; a container?), so Quayside was
installed and enabled but NOT started. Start it where systemd runs:  systemctl start quayside"
		return 0
	fi
	step "starting quayside.service"
	systemctl restart quayside.service
	deadline=$(($(date +%s) + START_TIMEOUT))
	until "$BIN" --data "$DATA" status >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			journalctl -u quayside.service -n 40 --no-pager >&2 || true
			die "Quayside did not answer on $DATA/control.sock within $START_TIMEOUT s (its log is above).
Fix the cause, then run this installer again; see also: systemctl status quayside"
		fi
		sleep 1
	done
	STARTED=1
	note "Quayside answers on $DATA/control.sock"
}

# ---------------------------------------------------------------------------
# 7. First admin and the summary
# ---------------------------------------------------------------------------

# create_admin creates the first admin once; ADMIN_OUT is what the command
# printed (the one-time sign-in link). A marker in the data dir remembers it,
# so upgrades and re-runs do not try again.
create_admin() {
	ADMIN_OUT=''
	marker=$DATA/.installer-admin
	if [ -f "$marker" ]; then
		note "first admin: $(cat "$marker") (made by an earlier run)"
		return 0
	fi
	[ "$STARTED" = 1 ] || return 0
	step "creating the first admin $ADMIN_EMAIL"
	rc=0
	ADMIN_OUT=$("$BIN" --data "$DATA" users add "$ADMIN_EMAIL" --role admin </dev/null 2>&1) || rc=$?
	case $rc in
	0) ;;
	4) note "$ADMIN_EMAIL is a user already" && ADMIN_OUT='' ;;
	*)
		warn "could not create the first admin (exit status $rc): $(printf '%s\n' "$ADMIN_OUT" | tail -n 3)
Create it later with:  sudo quayside users add $ADMIN_EMAIL --role admin"
		ADMIN_OUT=''
		return 0
		;;
	esac
	printf '%s\n' "$ADMIN_EMAIL" >"$marker"
	chmod 0600 "$marker"
}

dashboard_url() {
	case $DOMAIN in
	localhost | *.localhost) echo "http://quayside.$DOMAIN/" ;;
	*) echo "https://quayside.$DOMAIN/" ;;
	esac
}

summary() {
	echo
	if [ "$STARTED" = 1 ]; then step "Quayside runs: $NEW_VERSION"; else step "Quayside is installed (not started): $NEW_VERSION"; fi
	note "Dashboard:  $(dashboard_url)"
	if [ -n "$ADMIN_OUT" ]; then
		note "Sign in as $ADMIN_EMAIL (the link works once):"
		printf '%s\n' "$ADMIN_OUT" | sed 's/^/      /'
	elif [ "$STARTED" != 1 ]; then
		note "Once it runs, create the first admin (prints a one-time sign-in link):"
		note "  sudo quayside users add $ADMIN_EMAIL --role admin"
	fi
	case $DOMAIN in
	*.sslip.io) ;;
	*) note "DNS: point $DOMAIN and *.$DOMAIN (A/AAAA records) at this server." ;;
	esac
	note "First push, from your laptop (allow your SSH key first):"
	note "  ssh root@$DOMAIN quayside keys add \"\$USER\" < ~/.ssh/id_ed25519.pub"
	note "  git remote add quayside ssh://git@$DOMAIN:$SSH_PORT/myapp"
	note "  git push quayside main"
	note "Settings: $CONF (then: systemctl restart quayside)   Logs: journalctl -u quayside -f"
	if [ "$STARTED" != 1 ]; then note "Start it:   systemctl start quayside"; fi
}

# do_join makes this machine a node: the checks that matter for a node,
# the verified binary, Docker, then `quayside cluster join`. The node runs
# no Quayside service: the manager's Docker schedules the apps here.
do_join() {
	step "checking this machine"
	check_root
	check_os
	check_arch
	check_disk
	get_binary
	verify_binary
	install_packages
	ensure_docker
	install_binary
	step "joining the cluster"
	set -f # the arguments are split on spaces, never globbed
	# shellcheck disable=SC2086 # one word per argument
	"$BIN" cluster join $JOIN || die "the join failed (the reason is above); fix it and run the installer again with the same --join"
	set +f
	note "This machine is a node now. On the server: quayside cluster nodes"
	note "To take it out: on the server, quayside cluster drain <node>; here, docker swarm leave"
}

do_install() {
	step "checking this server"
	check_root
	check_os
	check_arch
	check_ports
	check_disk
	check_memory
	step "settings"
	resolve_settings
	get_binary
	verify_binary
	install_packages
	ensure_docker
	ensure_user
	write_conf
	install_binary
	write_unit
	enable_unit
	start_service
	create_admin
	summary
}

# ---------------------------------------------------------------------------
# Uninstall
# ---------------------------------------------------------------------------

# remove_docker_objects removes the containers, networks, volumes and images
# of the Quayside instance $1 (the label on everything it made).
remove_docker_objects() {
	label=io.quayside.instance=$1
	step "removing the apps' containers, networks, volumes and images ($label)"
	docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null
	docker network ls -q --filter "label=$label" | xargs -r docker network rm >/dev/null
	docker volume ls -q --filter "label=$label" | xargs -r docker volume rm -f >/dev/null
	docker images -q --filter "label=$label" | sort -u | xargs -r docker rmi -f >/dev/null
}

# running_instance prints the instance id of the running daemon, or nothing.
running_instance() {
	[ -x "$BIN" ] || return 0
	"$BIN" --data "$DATA" status --json 2>/dev/null | sed -n 's/.*"instance": *"\([^"]*\)".*/\1/p' | head -n 1
}

confirm_purge() {
	interactive || return 0
	ask "This deletes $DATA (every app's data, releases and settings) and the apps' containers. Type yes to go on:"
	[ "$ANSWER" = yes ] || die "nothing was removed."
}

do_uninstall() {
	check_root
	[ "$PURGE" = 0 ] || confirm_purge
	instance=''
	[ "$PURGE" = 0 ] || instance=$(running_instance)
	step "removing quayside.service and $BIN"
	if has systemctl; then
		if systemd_running; then
			systemctl disable --now quayside.service >/dev/null 2>&1 || true
		else
			systemctl disable quayside.service >/dev/null 2>&1 || true
		fi
	fi
	rm -f "$WANTS" "$UNIT" "$BIN" "$(dirname "$BIN")"/.quayside-install.*
	if systemd_running; then systemctl daemon-reload; fi
	if [ "$PURGE" = 0 ]; then
		note "kept: $DATA (data), $CONF (settings), the user $SERVICE_USER and the apps' containers."
		note "Install again to carry on where you left off, or remove those with: --uninstall --purge"
		return 0
	fi
	if [ -n "$instance" ]; then
		remove_docker_objects "$instance"
	elif has docker; then
		note "Quayside did not answer, so its containers cannot be told apart; list them with:"
		note "  docker ps -a --filter label=io.quayside.instance"
	fi
	step "removing $DATA, $CONF_DIR and the user $SERVICE_USER"
	rm -rf "$DATA" "$CONF_DIR"
	if id "$SERVICE_USER" >/dev/null 2>&1; then userdel "$SERVICE_USER"; fi
	if getent group "$SERVICE_USER" >/dev/null; then groupdel "$SERVICE_USER"; fi
	note "Quayside is gone. Docker and git stay installed."
}

# ---------------------------------------------------------------------------

main() {
	parse_args "$@"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/quayside-install.XXXXXX")
	STAGED=''
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP
	# One installer at a time.
	if has flock && [ -d /run ] && [ "$(id -u)" -eq 0 ]; then
		exec 9>/run/quayside-install.lock
		flock -n 9 || die "another run of the installer is busy; wait for it to finish."
	fi
	case $ACTION in
	uninstall) do_uninstall ;;
	join) do_join ;;
	*) do_install ;;
	esac
}

# QUAYSIDE_INSTALL_LIB=1 only defines the functions, for the installer's
# own tests (install/script_test.go): `QUAYSIDE_INSTALL_LIB=1 . ./install.sh`.
[ "${QUAYSIDE_INSTALL_LIB:-0}" = 1 ] || main "$@"
