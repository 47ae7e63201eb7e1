#!/bin/sh
# docker-entrypoint.sh of quayside/redis: what the official redis image's
# entrypoint does. Arguments starting with "-" (or a *.conf file) go to
# redis-server; started as root, it gives /data to redis and runs as redis.
# Like the official image, redis-server runs without protected mode (the
# container's network is the boundary; set --requirepass) unless the
# arguments or a config file say otherwise.
set -eu

case ${1:-} in -* | *.conf) set -- redis-server "$@" ;; esac
[ $# -gt 0 ] || set -- redis-server
[ "$1" = redis-server ] || exec "$@"

if [ "$(id -u)" = 0 ]; then
	find . ! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups env HOME=/data "$0" "$@"
fi

case " $* " in
*protected-mode* | *" "*.conf" "*) ;;
*) set -- "$@" --protected-mode no ;;
esac
# Data files readable by redis alone, as in the official image.
umask 0077
exec "$@"
