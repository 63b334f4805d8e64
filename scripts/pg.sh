#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, from Debian's
# `postgresql` package (installed here when missing), listening on 127.0.0.1
# only, with its data in DIR.
#
#   scripts/pg.sh start DIR [--fast]   initdb + start; prints the admin URL
#   scripts/pg.sh stop DIR             stop and delete DIR
#
# --fast turns fsync off (tests: nothing to keep). Benchmarks leave it on.
# PostgreSQL refuses to run as root; as root the server runs as the
# `postgres` user the package creates, so DIR's parents must be searchable.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR [--fast]" >&2; exit 2; }

bin_dir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$d" || ! -x "$d/postgres" ]]; then
        echo "== installing PostgreSQL (Debian's postgresql package)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
        d="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    echo "$d"
}

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    bin="$(bin_dir)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd -P)"
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres "$dir"
        as_owner test -w "$dir" || { echo "error: user postgres cannot reach $dir (make its parents world-searchable)" >&2; exit 1; }
    fi
    # A free port on loopback, chosen by the kernel.
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
    opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300"
    opts+=" -c shared_buffers=256MB"
    [[ "${3:-}" == "--fast" ]] && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        bin="$(bin_dir)"
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR [--fast]" >&2
    exit 2
    ;;
esac
