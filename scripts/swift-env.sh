#!/usr/bin/env bash
# Swift for this Debian bookworm host: Debian trixie's `swiftlang` in a chroot
# cached outside the repository. Needs root (debootstrap, mount, chroot).
#
#   scripts/swift-env.sh setup          make the chroot if it is missing (idempotent)
#   scripts/swift-env.sh run DIR CMD    run shell command CMD in the chroot, in DIR,
#                                       which is bind-mounted at the same path
#   scripts/swift-env.sh status         say what is installed; exit 1 if not set up
#
# SWIFT_ENV_ROOT sets the chroot's place (default /var/cache/volunteer-swift/trixie).
# The Debian archive is the one the host's apt sources already use. A cold setup
# downloads about 565 MB and takes a minute or two; after that it costs nothing.
# Every mount is made in a private mount namespace, so none leaks onto the host.
set -euo pipefail

ROOT="${SWIFT_ENV_ROOT:-/var/cache/volunteer-swift/trixie}"
ROOT="${ROOT%/}"
SUITE=trixie
PACKAGES="swiftlang libc6-dev"
READY="$ROOT/.ready"

die() { echo "swift-env: $*" >&2; exit 2; }
log() { echo "swift-env: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root"
case "$ROOT" in /*/*) ;; *) die "SWIFT_ENV_ROOT must be an absolute path two levels deep" ;; esac

host_mirror() {
    local uri
    uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | head -n1 | awk '{print $2}')
    [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list | grep -v security | head -n1 | awk '{print $2}')
    [ -n "$uri" ] || die "no Debian archive found in the host's apt sources"
    printf '%s' "$uri"
}

# Run "$@" with /proc, /dev and DIR mounted inside the chroot, in a private
# mount namespace that disappears with the command.
in_chroot() {
    local dir="$1"; shift
    unshare --mount --propagation private -- bash -euo pipefail -c '
        root="$1"; dir="$2"; shift 2
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        if [ -n "$dir" ]; then mkdir -p "$root$dir"; mount --bind "$dir" "$root$dir"; fi
        cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
    ' _ "$ROOT" "$dir" "$@"
}

setup() {
    if [ -f "$READY" ] && [ "$(cat "$READY")" = "$PACKAGES" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$ROOT")"
    exec 9>"$(dirname "$ROOT")/.lock"
    flock 9
    [ -f "$READY" ] && [ "$(cat "$READY")" = "$PACKAGES" ] && return 0
    local t0=$SECONDS
    if [ ! -x "$ROOT/usr/bin/apt-get" ] || [ -f "$ROOT/.bootstrapping" ]; then
        rm -rf --one-file-system "$ROOT"
        mkdir -p "$ROOT"
        if ! command -v debootstrap >/dev/null; then
            log "installing debootstrap"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
        fi
        : > "$ROOT/.bootstrapping"
        log "debootstrap $SUITE into $ROOT"
        unshare --mount --propagation private -- \
            debootstrap --variant=minbase "$SUITE" "$ROOT" "$(host_mirror)" > "$ROOT.debootstrap.log" 2>&1 \
            || { tail -20 "$ROOT.debootstrap.log" >&2; die "debootstrap failed"; }
        rm -f "$ROOT/.bootstrapping"
    fi
    log "installing $PACKAGES in the chroot"
    in_chroot "" sh -ec "export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
        apt-get clean" || die "installing $PACKAGES failed"
    local version
    version="$(in_chroot "" swift --version 2>&1 | head -n1)" || die "swift does not run in the chroot"
    echo "$PACKAGES" > "$READY"
    log "ready in $((SECONDS - t0)) s: $version"
}

case "${1:-}" in
    setup) setup ;;
    run)
        [ $# -ge 3 ] || die "usage: $0 run DIR CMD"
        dir="$(cd "$2" && pwd -P)"; shift 2
        [ -f "$READY" ] || die "not set up: run $0 setup"
        in_chroot "$dir" bash -c "cd '$dir' && $*"
        ;;
    status)
        [ -f "$READY" ] || { echo "not set up ($ROOT)"; exit 1; }
        echo "chroot: $ROOT"
        in_chroot "" swift --version
        ;;
    *) die "usage: $0 setup | run DIR CMD | status" ;;
esac
