#!/bin/sh
# build.sh: build the Cloud Native Buildpacks lifecycle from its Go module
# source and pack it the way its releases are packed: lifecycle.toml and
# lifecycle/{lifecycle,launcher} plus the symlinks detector, analyzer,
# restorer, builder, exporter, rebaser, creator and extender -> lifecycle.
# scripts/make-builder.sh runs it; it needs Go and the Go module proxy (or a
# module cache that holds lifecycle), nothing else.
#
#   build.sh OUT.tgz
#
# The throwaway module in a temporary directory keeps Quayside's go.mod out of
# it. lifecycle asks for an imgutil version that is missing from the checksum
# database, so the module pins the one after it.
set -eu

VERSION=0.20.11
IMGUTIL=v0.0.0-20250626173435-7c19c278f3d2
PHASES="detector analyzer restorer builder exporter rebaser creator extender"

[ $# -eq 1 ] || {
	echo "usage: build.sh OUT.tgz" >&2
	exit 2
}
out_dir=$(cd "$(dirname "$1")" && pwd)
out="$out_dir/$(basename "$1")"

work=$(mktemp -d "${TMPDIR:-/tmp}/quayside-lifecycle.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/go.mod" <<EOF
module quayside.local/lifecycle-build

go 1.24

require (
	github.com/buildpacks/lifecycle v$VERSION
	github.com/buildpacks/imgutil $IMGUTIL
)
EOF

cd "$work"
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0
go build -trimpath -ldflags "-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$VERSION" \
	-o lifecycle/ github.com/buildpacks/lifecycle/cmd/lifecycle github.com/buildpacks/lifecycle/cmd/launcher
for phase in $PHASES; do
	ln -s lifecycle "lifecycle/$phase"
done

# lifecycle's own packager writes the descriptor (supported Buildpack and
# Platform APIs) from the template in its source and normalises the tarball.
go build -o packager github.com/buildpacks/lifecycle/tools/packager
src=$(go list -m -f '{{.Dir}}' github.com/buildpacks/lifecycle)
./packager -archivePath "$work/lifecycle.tgz" -descriptorPath "$src/lifecycle.toml" \
	-inputDir "$work/lifecycle" -version "$VERSION" >/dev/null
mv "$work/lifecycle.tgz" "$out"
echo "build.sh: lifecycle $VERSION packed in $out"
