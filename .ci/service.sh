# Sourced by the CI checks that drive one service on loopback.
#   hub_setup "$@"                 takes the binary argument; sets $bin, a fresh $workdir and $log
#   hub_serve BIND [VAR=value …]   serves from $workdir on BIND with those variables, waits until
#                                  ready, and fails with the service's log if it never is
# On exit the service is stopped and $workdir (and any paths in $hub_also_remove) removed.

hub_setup() {
    if [ $# -ne 1 ] || [ ! -x "$1" ]; then
        echo "usage: $0 <path-to-innovation-hub-binary>" >&2
        exit 2
    fi
    bin="$(realpath "$1")"
    workdir="$(mktemp -d)"
    log="${workdir}/service.log"
    svc_pid=""
    hub_also_remove=""
    trap hub_cleanup EXIT
}

hub_cleanup() {
    if [ -n "$svc_pid" ]; then
        kill "$svc_pid" 2>/dev/null || true
        wait "$svc_pid" 2>/dev/null || true
    fi
    # shellcheck disable=SC2086
    rm -rf "$workdir" $hub_also_remove
}

hub_serve() {
    local bind="$1"
    shift
    (cd "$workdir" && exec env HUB_BIND="$bind" "$@" "$bin" serve) >"$log" 2>&1 &
    svc_pid=$!
    for _ in $(seq 1 120); do
        curl -fsS "http://${bind}/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$svc_pid" 2>/dev/null || break
        sleep 0.5
    done
    echo "FAIL: the service did not become ready on ${bind}; its log:" >&2
    cat "$log" >&2
    exit 1
}
