#!/bin/sh
# ensure-docker.sh: make sure a Docker daemon answers, starting one if needed.
# On a fresh Debian machine it installs docker.io from the distribution's
# packages first. Used by `make run`, `make test` and .ci/run.
set -eu

log() { printf '==> %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
	exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		log "Docker is not installed; run as root or install docker.io yourself"
		exit 1
	fi
	log "installing docker.io from the distribution's packages"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if docker info >/dev/null 2>&1; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	log "no Docker daemon answers and only root can start one here"
	exit 1
fi

log "starting dockerd (log: /var/log/quayside-dockerd.log)"
# setsid: the daemon must outlive the shell (and process group) that started it.
setsid nohup dockerd >/var/log/quayside-dockerd.log 2>&1 &

i=0
until docker info >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 60 ]; then
		log "dockerd did not answer within 60s; see /var/log/quayside-dockerd.log"
		exit 1
	fi
	sleep 1
done
log "dockerd is up"
