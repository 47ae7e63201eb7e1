#!/bin/sh
# ensure-tools.sh: install the command-line tools the tests drive (git, ssh,
# Chromium for the dashboard, shellcheck and systemd-analyze for the
# installer) when they are missing. Debian packages only.
set -eu

missing=""
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v ssh >/dev/null 2>&1 || missing="$missing openssh-client"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"

if [ -n "$missing" ]; then
	printf '==> installing%s\n' "$missing" >&2
	apt-get update -qq
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
