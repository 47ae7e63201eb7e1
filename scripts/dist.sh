#!/bin/sh
# dist.sh: build a release of Quayside the way install/install.sh and
# `quayside upgrade` fetch it, into $DIST (default dist/):
#
#   quayside-linux-amd64, quayside-linux-arm64   static (CGO_ENABLED=0), -trimpath,
#                                                no build ID: the same commit and Go
#                                                give the same bytes on any machine
#   SHA256SUMS                                   sha256sum of the binaries
#   SHA256SUMS.sig                               ed25519 signature of SHA256SUMS
#   install.sh                                   a copy of install/install.sh
#
# Signing: QUAYSIDE_SIGNING_KEY names the private key file (made with
# `go run ./cmd/quayside-sign keygen -key FILE`). When its public key is not
# the release key built into install.sh, the binaries are stamped with it, so
# that `quayside upgrade` on servers installed from them trusts the same key.
# Without QUAYSIDE_SIGNING_KEY the release is signed with a throwaway dev key
# ($DIST/dev-signing.key, made once and reused): it is NOT signed for the
# release key, and the installer must be told the dev key with the
# QUAYSIDE_PUBKEY=... line printed at the end. The binaries then keep the
# built-in release key, so servers can later upgrade to official releases.
#
# Environment: VERSION (stamped into the binary; default: git describe),
# DIST, ARCHES (default: "amd64 arm64"), GO (default: go).
set -eu

cd "$(dirname "$0")/.."
GO=${GO:-go}
DIST=${DIST:-dist}
ARCHES=${ARCHES:-amd64 arm64}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
UPGRADE_PKG=github.com/quayside/quayside/install/upgrade

step() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'dist: %s\n' "$*" >&2
	exit 1
}

# builtin_key prints the release key install.sh trusts by default.
builtin_key() { sed -n 's/^RELEASE_KEY=//p' install/install.sh; }

# public_key prints the public key of private key file $1, read back from
# quayside-sign's report of a signature over an empty file.
public_key() {
	probe=$(mktemp -d)
	: >"$probe/probe"
	out=$("$SIGN" sign -key "$1" "$probe/probe") || {
		rm -rf "$probe"
		die "cannot sign with $1 (a key file from quayside-sign keygen?)"
	}
	rm -rf "$probe"
	printf '%s\n' "$out" | sed -n 's/^signed .* with key \([A-Za-z0-9+/=]*\): .*/\1/p'
}

# build_one builds the binary for linux/$1 with the release key $2 stamped
# in (empty: the built-in one).
build_one() {
	ldflags="-s -w -buildid= -X main.version=$VERSION"
	if [ -n "$2" ]; then ldflags="$ldflags -X $UPGRADE_PKG.ReleaseKey=$2"; fi
	step "building $DIST/quayside-linux-$1 ($VERSION)"
	CGO_ENABLED=0 GOOS=linux GOARCH=$1 GOAMD64=v1 GOARM64=v8.0 GOFLAGS=-mod=readonly \
		"$GO" build -trimpath -buildvcs=false -ldflags "$ldflags" \
		-o "$DIST/quayside-linux-$1" ./cmd/quayside
}

mkdir -p "$DIST"
SIGN=$DIST/.quayside-sign
"$GO" build -o "$SIGN" ./cmd/quayside-sign

builtin=$(builtin_key)
if [ -n "${QUAYSIDE_SIGNING_KEY:-}" ]; then
	[ -f "$QUAYSIDE_SIGNING_KEY" ] || die "QUAYSIDE_SIGNING_KEY=$QUAYSIDE_SIGNING_KEY is not a file"
	key=$QUAYSIDE_SIGNING_KEY
	pub=$(public_key "$key")
	stamp=$pub
	[ "$pub" != "$builtin" ] || stamp=''
else
	key=$DIST/dev-signing.key
	if [ ! -f "$key" ]; then "$SIGN" keygen -key "$key" >/dev/null; fi
	pub=$(public_key "$key")
	stamp=''
fi
[ -n "$pub" ] || die "cannot read the public key of $key"

rm -f "$DIST"/quayside-linux-* "$DIST/SHA256SUMS" "$DIST/SHA256SUMS.sig" "$DIST/install.sh"
cp install/install.sh "$DIST/install.sh"
for arch in $ARCHES; do build_one "$arch" "$stamp"; done
(
	cd "$DIST"
	for arch in $ARCHES; do sha256sum "quayside-linux-$arch"; done >SHA256SUMS
)
"$SIGN" sign -key "$key" "$DIST/SHA256SUMS" >/dev/null
"$SIGN" verify -pub "$pub" "$DIST/SHA256SUMS" >/dev/null || die "the signature just made does not verify"
rm -f "$SIGN"

step "release $VERSION in $DIST/:"
(cd "$DIST" && cat SHA256SUMS) | sed 's/^/    /' >&2
if [ "$pub" = "$builtin" ]; then
	step "signed with the release key built into install.sh"
	exit 0
fi
if [ -n "${QUAYSIDE_SIGNING_KEY:-}" ]; then
	step "signed with your key $QUAYSIDE_SIGNING_KEY (stamped into the binaries for quayside upgrade)"
else
	step "UNSIGNED for the release key: signed with the throwaway dev key $key (never publish it)"
fi
step "the installer must be given that key, for example:"
printf '    QUAYSIDE_RELEASE_URL=file://%s QUAYSIDE_PUBKEY=%s sh %s/install.sh\n' "$(cd "$DIST" && pwd)" "$pub" "$DIST" >&2
printf 'QUAYSIDE_PUBKEY=%s\n' "$pub"
