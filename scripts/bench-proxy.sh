#!/bin/sh
# bench-proxy.sh: measure Quayside's reverse proxy side by side with nginx
# and Caddy, all three as plain reverse proxies in front of the same
# backend, over HTTP and HTTPS, with wrk on loopback. Writes the results
# into docs/benchmarks.md (between the bench:proxy markers) and prints the
# ratios the proxy's targets are stated in. `make bench` runs it.
#
# Per round (rounds interleave the proxies, the order rotating each round):
#   load   wrk -t$THREADS -c$CONNS -d$DURATION --latency, keep-alive, through
#          nginx, Caddy, Quayside with 1 app and Quayside with 500 apps:
#          requests/s, p99 latency, and the proxy's CPU time (utime+stime
#          from /proc/<pid>/stat, all its processes) divided by requests.
#   idle   a freshly started proxy, RSS before and after $IDLE_CONNS idle
#          keep-alive connections that each served one request (over TLS
#          after a full handshake), divided by $IDLE_CONNS.
# The table holds the median of the rounds.
#
# Environment: BENCH_ROUNDS (3), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNS (64), BENCH_IDLE_CONNS (10000), BENCH_PORT_BASE (18400),
# BENCH_DOCS (docs/benchmarks.md; "-" writes nothing), BENCH_CACHE
# (~/.cache/quayside-bench, where caddy is built once).
set -eu

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
PORT=${BENCH_PORT_BASE:-18400}
DOCS=${BENCH_DOCS:-$ROOT/docs/benchmarks.md}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quayside-bench}
CADDY_VERSION=v2.11.9
HOST=bench.test
GO=${GO:-go}

BACKEND_PORT=$PORT
NGINX_HTTP=$((PORT + 1))
NGINX_HTTPS=$((PORT + 2))
CADDY_HTTP=$((PORT + 3))
CADDY_HTTPS=$((PORT + 4))
Q1_HTTP=$((PORT + 5))
Q1_HTTPS=$((PORT + 6))
Q500_HTTP=$((PORT + 7))
Q500_HTTPS=$((PORT + 8))

log() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'bench-proxy: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------- tools

ensure_tools() {
	missing=""
	command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
	if [ -n "$missing" ]; then
		log "installing$missing from the distribution's packages"
		apt-get update -qq
		# shellcheck disable=SC2086 # word splitting of the package list is intended
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	fi
	NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
	CADDY=$CACHE/caddy-$CADDY_VERSION/caddy
	if [ ! -x "$CADDY" ]; then
		log "building caddy $CADDY_VERSION into $CACHE (once; minutes on 2 cores)"
		mkdir -p "$CACHE/caddy-$CADDY_VERSION"
		(cd "$CACHE" && GOBIN="$CACHE/caddy-$CADDY_VERSION" GOFLAGS=-mod=mod "$GO" install "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION")
	fi
	log "building proxybench (Quayside's proxy as the product serves it)"
	(cd "$ROOT" && "$GO" build -o "$WORK/proxybench" ./cmd/proxybench)
	PB=$WORK/proxybench
	# 10,000 idle connections need as many descriptors in the proxy and in
	# the client: Go programs raise their soft limit to the hard one, nginx
	# sets worker_rlimit_nofile; the hard limit must allow it.
	hard=$(awk '/^Max open files/ {print $5}' /proc/self/limits)
	[ "$hard" = unlimited ] || [ "$hard" -gt $((IDLE_CONNS + 1000)) ] ||
		die "the hard limit on open files is $hard; need more than $((IDLE_CONNS + 1000)) (ulimit -Hn)"
}

# ---------------------------------------------------------------- processes

# started lists the PIDs this script started; cleanup ends exactly those.
started=""

cleanup() {
	for pid in $started; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $started; do
		wait "$pid" 2>/dev/null || true
	done
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# spawn NAME CMD...: start CMD in the background, logging to $WORK/NAME.log;
# sets $spawned to its PID.
spawn() {
	name=$1
	shift
	"$@" >"$WORK/$name.log" 2>&1 &
	spawned=$!
	started="$started $spawned"
}

# stop PID: end a process this script started and wait for it.
stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	new=""
	for pid in $started; do
		[ "$pid" = "$1" ] || new="$new $pid"
	done
	started=$new
}

# children PID: PID and its direct children (nginx's workers).
children() {
	echo "$1"
	for stat in /proc/[0-9]*/stat; do
		ppid=$(sed 's/.*) //' "$stat" 2>/dev/null | cut -d' ' -f2) || continue
		[ "$ppid" = "$1" ] && basename "$(dirname "$stat")"
	done
	return 0
}

# cpu_ticks PIDS: utime+stime of the processes, in clock ticks.
cpu_ticks() {
	total=0
	for pid in "$@"; do
		t=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
		total=$((total + t))
	done
	echo "$total"
}

# rss_kb PIDS: resident memory of the processes, in KiB.
rss_kb() {
	total=0
	for pid in "$@"; do
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
		total=$((total + r))
	done
	echo "$total"
}

wait_port() {
	"$PB" wait -addr "127.0.0.1:$1" -timeout 30s || die "nothing answers on port $1; see $WORK/*.log"
}

# ---------------------------------------------------------------- configs

write_configs() {
	"$PB" cert -dir "$WORK"
	mkdir -p "$WORK/backend" "$WORK/nginx" "$WORK/caddy"
	cat >"$WORK/backend/nginx.conf" <<EOF
# The backend: one nginx worker answering every request with a fixed body.
worker_processes 1;
daemon off;
pid $WORK/backend/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$BACKEND_PORT backlog=4096;
        location / {
            default_type text/plain;
            return 200 "hello from the backend\n";
        }
    }
}
EOF
	cat >"$WORK/nginx/nginx.conf" <<EOF
# nginx as a plain reverse proxy: defaults plus keep-alive to the backend
# and the same X-Forwarded-* headers Quayside and Caddy set.
worker_processes auto;
worker_rlimit_nofile 30000;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 256;
    }
    server {
        listen 127.0.0.1:$NGINX_HTTP backlog=4096;
        listen 127.0.0.1:$NGINX_HTTPS ssl http2 backlog=4096;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host \$host;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
EOF
	cat >"$WORK/caddy/Caddyfile" <<EOF
# Caddy as a plain reverse proxy: reverse_proxy with its defaults (it sets
# X-Forwarded-* itself), our certificate, no admin endpoint, no ACME.
{
	admin off
	auto_https off
	persist_config off
	storage file_system $WORK/caddy/data
}
http://:$CADDY_HTTP {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:$BACKEND_PORT
}
https://:$CADDY_HTTPS {
	bind 127.0.0.1
	tls $WORK/cert.pem $WORK/key.pem
	reverse_proxy 127.0.0.1:$BACKEND_PORT
}
EOF
}

# ---------------------------------------------------------------- targets

# start_TARGET starts one proxy and sets pid_TARGET and pids_TARGET (the
# processes whose CPU and memory count).
start_backend() {
	spawn backend "$NGINX" -p "$WORK/backend/" -e stderr -c "$WORK/backend/nginx.conf"
	wait_port "$BACKEND_PORT"
}

start_nginx() {
	spawn nginx "$NGINX" -p "$WORK/nginx/" -e stderr -c "$WORK/nginx/nginx.conf"
	pid_nginx=$spawned
	wait_port "$NGINX_HTTP"
	wait_port "$NGINX_HTTPS"
	sleep 0.5 # let the workers start
	set_pids nginx "$(children "$pid_nginx")"
}

start_caddy() {
	spawn caddy env HOME="$WORK/caddy" XDG_DATA_HOME="$WORK/caddy/data" XDG_CONFIG_HOME="$WORK/caddy/config" \
		"$CADDY" run --config "$WORK/caddy/Caddyfile" --adapter caddyfile
	pid_caddy=$spawned
	wait_port "$CADDY_HTTP"
	wait_port "$CADDY_HTTPS"
	set_pids caddy "$pid_caddy" # env execs caddy, so the PID is caddy's own
}

start_quayside() {
	spawn quayside "$PB" serve -backend "127.0.0.1:$BACKEND_PORT" -host "$HOST" -apps 1 \
		-http "127.0.0.1:$Q1_HTTP" -https "127.0.0.1:$Q1_HTTPS" -cert "$WORK/cert.pem" -key "$WORK/key.pem"
	pid_quayside=$spawned
	wait_port "$Q1_HTTP"
	wait_port "$Q1_HTTPS"
	set_pids quayside "$pid_quayside"
}

start_quayside500() {
	spawn quayside500 "$PB" serve -backend "127.0.0.1:$BACKEND_PORT" -host "$HOST" -apps 500 \
		-http "127.0.0.1:$Q500_HTTP" -https "127.0.0.1:$Q500_HTTPS" -cert "$WORK/cert.pem" -key "$WORK/key.pem"
	pid_quayside500=$spawned
	wait_port "$Q500_HTTP"
	wait_port "$Q500_HTTPS"
	set_pids quayside500 "$pid_quayside500"
}

# url TARGET PROTO: the URL wrk and the idle client use.
url() {
	case $1-$2 in
	nginx-http) echo "http://127.0.0.1:$NGINX_HTTP/" ;;
	nginx-https) echo "https://127.0.0.1:$NGINX_HTTPS/" ;;
	caddy-http) echo "http://127.0.0.1:$CADDY_HTTP/" ;;
	caddy-https) echo "https://127.0.0.1:$CADDY_HTTPS/" ;;
	quayside-http) echo "http://127.0.0.1:$Q1_HTTP/" ;;
	quayside-https) echo "https://127.0.0.1:$Q1_HTTPS/" ;;
	quayside500-http) echo "http://127.0.0.1:$Q500_HTTP/" ;;
	quayside500-https) echo "https://127.0.0.1:$Q500_HTTPS/" ;;
	*) die "unknown target $1-$2" ;;
	esac
}

# set_pids TARGET PIDS / pids_of TARGET: the processes that make up TARGET.
set_pids() { eval "pids_$1=\$2"; }
pids_of() { eval "echo \$pids_$1"; }

# ---------------------------------------------------------------- measuring

RESULTS=""

# record ROUND TARGET PROTO METRIC VALUE
record() { echo "$*" >>"$RESULTS"; }

# load ROUND TARGET PROTO: one wrk run; records rps, p99 (ms) and CPU µs per request.
load() {
	out=$WORK/wrk-$2-$3.txt
	# shellcheck disable=SC2046 # the PID list is split on purpose
	before=$(cpu_ticks $(pids_of "$2"))
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Host: $HOST" "$(url "$2" "$3")" >"$out"
	# shellcheck disable=SC2046
	after=$(cpu_ticks $(pids_of "$2"))
	awk '/Non-2xx|Socket errors/ {bad = 1} END {exit bad}' "$out" ||
		die "$2 over $3 answered with errors: $(cat "$out")"
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	reqs=$(awk '/ requests in / {print $1}' "$out")
	p99=$(awk '$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; print v}' "$out")
	cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
	record "$1" "$2" "$3" rps "$rps"
	record "$1" "$2" "$3" p99 "$p99"
	record "$1" "$2" "$3" cpu "$cpu"
	log "round $1 $2 $3: $rps requests/s, p99 ${p99}ms, ${cpu}µs CPU/request"
}

# settled_rss PIDS: RSS once it stops moving (two readings 1s apart within
# 0.5%, at most 15s).
settled_rss() {
	prev=$(rss_kb "$@")
	i=0
	while [ "$i" -lt 15 ]; do
		sleep 1
		cur=$(rss_kb "$@")
		if awk -v a="$prev" -v b="$cur" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d <= a * 0.005)}'; then
			break
		fi
		prev=$cur
		i=$((i + 1))
	done
	echo "$cur"
}

# idle ROUND TARGET PROTO: restart TARGET, then KiB per idle connection.
idle() {
	eval "stop \$pid_$2"
	"start_$2"
	pids=$(pids_of "$2")
	addr=$(url "$2" "$3" | sed 's|^[a-z]*://||; s|/$||')
	tlsflag=""
	[ "$3" = https ] && tlsflag=-tls
	# warm up: a few connections and requests, so the before figure holds the
	# proxy's steady per-process memory (nginx workers, Go runtime, TLS setup)
	"$PB" idle -addr "$addr" $tlsflag -host "$HOST" -n 64 -ready "$WORK/warm" &
	warm=$!
	until [ -s "$WORK/warm" ]; do sleep 0.1; done
	kill "$warm"
	wait "$warm" || true
	rm -f "$WORK/warm"
	# shellcheck disable=SC2086
	before=$(settled_rss $pids)
	rm -f "$WORK/ready"
	"$PB" idle -addr "$addr" $tlsflag -host "$HOST" -n "$IDLE_CONNS" -ready "$WORK/ready" &
	client=$!
	i=0
	until [ -s "$WORK/ready" ]; do
		i=$((i + 1))
		[ "$i" -lt 1200 ] || die "the idle client did not finish opening connections to $2 in 120s"
		sleep 0.1
	done
	read -r opened failed <"$WORK/ready"
	[ "$failed" = 0 ] || die "$failed of $IDLE_CONNS idle connections to $2 over $3 failed"
	# shellcheck disable=SC2086
	after=$(settled_rss $pids)
	kill "$client"
	wait "$client" || true
	kb=$(awk -v a="$after" -v b="$before" -v n="$opened" 'BEGIN {printf "%.1f", (a - b) / n}')
	record "$1" "$2" "$3" idle "$kb"
	log "round $1 $2 $3: $opened idle connections, RSS $before -> $after KiB, $kb KiB each"
}

# ---------------------------------------------------------------- reporting

# median_of: the median of the numbers on stdin, "-" when there are none.
median_of() {
	sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# median TARGET PROTO METRIC: the median over the rounds.
median() {
	awk -v t="$1" -v p="$2" -v m="$3" '$2 == t && $3 == p && $4 == m {print $5}' "$RESULTS" | median_of
}

# paired A B PROTO METRIC: the median over the rounds of A's METRIC divided
# by B's in the same round. Pairs measured minutes apart are steadier than
# figures taken across the whole run on a shared machine.
paired() {
	awk -v a="$1" -v b="$2" -v p="$3" -v m="$4" '
		$3 == p && $4 == m && $2 == a {va[$1] = $5}
		$3 == p && $4 == m && $2 == b {vb[$1] = $5}
		END {for (r in va) if ((r in vb) && vb[r] > 0) print va[r] / vb[r]}' "$RESULTS" |
		median_of | awk '{if ($1 == "-") print; else printf "%.2f\n", $1}'
}

# verdict CONDITION: "yes" or "**no**" (awk syntax).
verdict() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo "**no**"; fi; }

fmt_int() { awk -v v="$1" 'BEGIN {if (v == "-") print v; else printf "%.0f", v}'; }

# go_bench: the proxy's own Go benchmarks for routing 1 and 500 apps
# (route lookup alone, and ServeHTTP in process against a raw backend),
# three runs each; records "go NAME ns/op" lines.
go_bench() {
	log "go test -bench: route lookup and ServeHTTP with 1 and 500 apps"
	(cd "$ROOT" && "$GO" test -run '^$' -bench 'RouteLookup|Lean1App|Lean500Apps' -count 3 ./proxy/) |
		awk '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); print "0", "go", $1, "ns", $3}' >>"$RESULTS"
}

report() {
	nginx_v=$("$NGINX" -v 2>&1 | sed 's|.*/||')
	caddy_v=$CADDY_VERSION
	go_v=$("$GO" env GOVERSION)
	{
		echo "Measured $(date -u +%Y-%m-%d) on $(uname -n) ($(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"
		echo "nginx $nginx_v, Caddy $caddy_v, Quayside built with $go_v. Median of $ROUNDS interleaved rounds;"
		echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency (keep-alive) on loopback; idle memory with $IDLE_CONNS connections."
		echo
		echo "| proxy | | requests/s | p99 | CPU per request | idle memory per connection |"
		echo "|---|---|---|---|---|---|"
		for t in nginx caddy quayside quayside500; do
			case $t in
			nginx) name="nginx $nginx_v" ;;
			caddy) name="Caddy $caddy_v" ;;
			quayside) name="Quayside, 1 app" ;;
			quayside500) name="Quayside, 500 apps" ;;
			esac
			for p in http https; do
				idle_v=$(median "$t" "$p" idle)
				[ "$idle_v" = - ] && idle_v="" || idle_v="$idle_v KiB"
				echo "| $name | $(echo "$p" | tr '[:lower:]' '[:upper:]') | $(fmt_int "$(median "$t" "$p" rps)") | $(median "$t" "$p" p99) ms | $(median "$t" "$p" cpu) µs | $idle_v |"
			done
		done
		echo
		echo "Targets (ratios are medians of the per-round ratios):"
		echo
		echo "| target | HTTP | HTTPS | met |"
		echo "|---|---|---|---|"
		target_rows
		configs
	} >"$WORK/section.md"
}

# configs: the exact commands and configuration files of this run, with the
# temporary directory written as $WORK.
configs() {
	echo
	echo "Commands (\$WORK is the run's temporary directory, ports from BENCH_PORT_BASE=$PORT):"
	echo
	echo '```sh'
	echo "nginx -p \$WORK/backend/ -e stderr -c \$WORK/backend/nginx.conf    # backend"
	echo "nginx -p \$WORK/nginx/ -e stderr -c \$WORK/nginx/nginx.conf        # nginx as reverse proxy"
	echo "caddy run --config \$WORK/caddy/Caddyfile --adapter caddyfile     # go install github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
	echo "proxybench serve -backend 127.0.0.1:$BACKEND_PORT -host $HOST -apps 1 -http 127.0.0.1:$Q1_HTTP -https 127.0.0.1:$Q1_HTTPS -cert \$WORK/cert.pem -key \$WORK/key.pem"
	echo "proxybench serve -backend 127.0.0.1:$BACKEND_PORT -host $HOST -apps 500 -http 127.0.0.1:$Q500_HTTP -https 127.0.0.1:$Q500_HTTPS -cert \$WORK/cert.pem -key \$WORK/key.pem"
	echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency -H 'Host: $HOST' http://127.0.0.1:$NGINX_HTTP/    # and each proxy's other ports"
	echo "proxybench idle -addr 127.0.0.1:$NGINX_HTTPS -tls -host $HOST -n $IDLE_CONNS -ready FILE      # idle connections"
	echo '```'
	for f in backend/nginx.conf nginx/nginx.conf caddy/Caddyfile; do
		echo
		echo "\$WORK/$f:"
		echo
		echo '```'
		sed "s|$WORK|\$WORK|g" "$WORK/$f"
		echo '```'
	done
}

target_rows() {
	vc_h=$(paired quayside caddy http rps) vc_s=$(paired quayside caddy https rps)
	vn_h=$(paired quayside nginx http rps) vn_s=$(paired quayside nginx https rps)
	cpu_h=$(median quayside http cpu) cpu_s=$(median quayside https cpu)
	lat_h=$(paired quayside caddy http p99) lat_s=$(paired quayside caddy https p99)
	idle_h=$(median quayside http idle) idle_s=$(median quayside https idle)
	c500_h=$(paired quayside500 quayside http cpu) c500_s=$(paired quayside500 quayside https cpu)
	look1=$(median go BenchmarkRouteLookup1 ns) look500=$(median go BenchmarkRouteLookup500 ns)
	serve1=$(median go BenchmarkLean1App ns) serve500=$(median go BenchmarkLean500Apps ns)
	row "requests/s, Quayside / Caddy (>= 1.5)" "$vc_h" "$vc_s" "$vc_h >= 1.5 && $vc_s >= 1.5"
	row "requests/s, Quayside / nginx (>= 0.5)" "$vn_h" "$vn_s" "$vn_h >= 0.5 && $vn_s >= 0.5"
	row "CPU per request (<= 50 µs)" "$cpu_h µs" "$cpu_s µs" "$cpu_h <= 50 && $cpu_s <= 50"
	row "p99, Quayside / Caddy (<= 1)" "$lat_h" "$lat_s" "$lat_h <= 1 && $lat_s <= 1"
	row "idle memory per connection (<= 15 KiB)" "$idle_h KiB" "$idle_s KiB" "$idle_h <= 15 && $idle_s <= 15"
	row "CPU per request, 500 apps / 1 app (<= 1.1)" "$c500_h" "$c500_s" "$c500_h <= 1.1 && $c500_s <= 1.1"
	# A map of one entry skips hashing, so 500 apps can cost a few ns more:
	# what counts is that the difference is lost in the cost of a request.
	echo "| route lookup, 1 / 500 apps (go test -bench RouteLookup; the difference <= 1% of a request) | $look1 / $look500 ns | | $(verdict "$look500 - $look1 <= $serve1 * 0.01") |"
	echo "| ServeHTTP in process, 1 / 500 apps (go test -bench Lean) | $(fmt_int "$serve1") / $(fmt_int "$serve500") ns | | $(verdict "$serve500 <= $serve1 * 1.1") |"
}

row() { echo "| $1 | $2 | $3 | $(verdict "$4") |"; }

# write_docs: replace what lies between the bench:proxy markers in $DOCS
# with the section; append heading and markers when the file has none.
write_docs() {
	[ "$DOCS" = - ] && return 0
	start='<!-- bench:proxy:start -->'
	end='<!-- bench:proxy:end -->'
	if ! grep -qF "$start" "$DOCS" 2>/dev/null; then
		printf '\n## Proxy: Quayside vs nginx vs Caddy\n\n%s\n%s\n' "$start" "$end" >>"$DOCS"
	fi
	awk -v s="$start" -v e="$end" -v f="$WORK/section.md" '
		$0 == s {print; while ((getline l < f) > 0) print l; skip = 1; next}
		$0 == e {skip = 0}
		!skip {print}' "$DOCS" >"$WORK/docs.md"
	cat "$WORK/docs.md" >"$DOCS"
	log "wrote the results into $DOCS"
}

# ---------------------------------------------------------------- main

main() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-proxy.XXXXXX")
	chmod 755 "$WORK" # nginx workers run as nobody
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	RESULTS=$WORK/results
	: >"$RESULTS"
	HZ=$(getconf CLK_TCK)
	ensure_tools
	write_configs
	start_backend
	start_nginx
	start_caddy
	start_quayside
	start_quayside500

	targets="nginx caddy quayside quayside500"
	log "warming up"
	for t in $targets; do
		for p in http https; do
			wrk -t"$THREADS" -c"$CONNS" -d2s -H "Host: $HOST" "$(url "$t" "$p")" >/dev/null
		done
	done
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		order=$(echo "$targets" | awk -v r="$round" '{for (i = 0; i < NF; i++) printf "%s ", $((i + r - 1) % NF + 1)}')
		for t in $order; do
			for p in http https; do
				load "$round" "$t" "$p"
			done
		done
		for t in $order; do
			[ "$t" = quayside500 ] && continue # memory per connection does not depend on the route table
			for p in http https; do
				idle "$round" "$t" "$p"
			done
		done
		round=$((round + 1))
	done
	go_bench
	report
	write_docs
	echo
	cat "$WORK/section.md"
}

main "$@"
