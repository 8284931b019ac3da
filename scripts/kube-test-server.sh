#!/usr/bin/env bash
# A throw-away Kubernetes API server (etcd + kube-apiserver, optionally kube-controller-manager) on
# loopback for the kube test tier. Binaries come from scripts/build-kube.sh. No kubelet, no scheduler:
# pods are stored but never run (docs/kube-tier.md).
#
# Usage:
#   scripts/kube-test-server.sh start   # certs, etcd, kube-apiserver (+ controller-manager); waits for /readyz
#   scripts/kube-test-server.sh env     # print the export lines below
#   scripts/kube-test-server.sh stop    # stop every process it started and delete the state dir
#
# `start` prints one line on stdout, `export VAULTKIT_KUBE_DIR=<dir>`, so that
#   eval "$(scripts/kube-test-server.sh start)"; eval "$(scripts/kube-test-server.sh env)"
# works with free ports; `env` and `stop` find the server through VAULTKIT_KUBE_DIR (or VAULTKIT_KUBE_PORT).
# `env` prints exactly:
#   export KUBECONFIG=<dir>/admin.kubeconfig
#   export VAULTKIT_KUBE_SERVER=https://127.0.0.1:<port>
#   export VAULTKIT_KUBE_CA_FILE=<dir>/ca.crt
#   export VAULTKIT_KUBE_TOKEN=<admin bearer token, group system:masters>
#   export VAULTKIT_KUBE_DIR=<dir>
#
# Settings (environment):
#   VAULTKIT_KUBE_PORT            kube-apiserver port on 127.0.0.1 (default: a free port, found by binding :0)
#   VAULTKIT_KUBE_ETCD_PORT       etcd client port (default: free); VAULTKIT_KUBE_ETCD_PEER_PORT its peer port
#                                 (default: etcd port + 1 when the etcd port is set, else free)
#   VAULTKIT_KUBE_CM_PORT         kube-controller-manager's healthz port (default: free)
#   VAULTKIT_KUBE_CONTROLLERS=1   also run kube-controller-manager (Deployments -> ReplicaSets -> Pods, Jobs ->
#                                 Pods, namespace deletion, garbage collection, ServiceAccount/root-CA publishing)
#   VAULTKIT_KUBE_DIR             state dir (default ${TMPDIR:-/tmp}/vaultkit-kube-<port>): certs, keys, token
#                                 file (mode 600), etcd data, logs, pids. sa.key there signs service-account
#                                 tokens, so a test can mint one the server accepts (e.g. already expired).
#   VAULTKIT_KUBE_BIN             dir holding etcd, kube-apiserver, kube-controller-manager
#                                 (default: scripts/build-kube.sh --path)
#   VAULTKIT_KUBE_START_TIMEOUT   seconds to wait for readiness (default 120; ~3 s on an idle 2-core machine)
#
# Listens on 127.0.0.1 only. Needs openssl, curl and node; kubectl is not needed (any kubectl works with
# the printed KUBECONFIG). A failed start prints the reason and the server logs' tail, stops what it
# started and exits 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "kube-test-server: $*" >&2; }

# Free TCP ports on 127.0.0.1, by binding :0 (all held open together, so they are distinct).
free_ports() {
    node -e '
        const net = require("net"), n = Number(process.argv[1]), servers = [];
        let left = n;
        for (let i = 0; i < n; i++) {
            const s = net.createServer();
            servers.push(s);
            s.listen(0, "127.0.0.1", () => { if (--left === 0) { console.log(servers.map((x) => x.address().port).join(" ")); servers.forEach((x) => x.close()); } });
        }' "$1"
}

# Fails unless $1 is a free port on 127.0.0.1.
port_free() {
    node -e '
        const s = require("net").createServer();
        s.on("error", () => process.exit(1));
        s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close());' "$1"
}

if [ -n "${VAULTKIT_KUBE_DIR:-}" ]; then
    STATE_DIR="$VAULTKIT_KUBE_DIR"
elif [ -n "${VAULTKIT_KUBE_PORT:-}" ]; then
    STATE_DIR="${TMPDIR:-/tmp}/vaultkit-kube-${VAULTKIT_KUBE_PORT}"
else
    STATE_DIR="" # start picks the port first; env/stop need VAULTKIT_KUBE_DIR or VAULTKIT_KUBE_PORT
fi
SECRET_FILE="$STATE_DIR/kube.env"
PROCS=(kube-controller-manager kube-apiserver etcd) # stop order

need_state_dir() {
    if [ -z "$STATE_DIR" ]; then
        log "which server? set VAULTKIT_KUBE_DIR (printed by '$0 start') or VAULTKIT_KUBE_PORT"
        exit 1
    fi
}

# The pid recorded for $1, only while that pid still runs $1 (a stale pid file never names another process).
pid_of() {
    local pid
    pid="$(cat "$STATE_DIR/$1.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q "/$1 "; then
        echo "$pid"
    fi
}
alive() {
    local pid
    pid="$(pid_of "$1")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
is_running() { [ -n "$STATE_DIR" ] && alive kube-apiserver && alive etcd; }

# curl against the apiserver as the admin; the token is read from a file, never put in argv.
kcurl() {
    curl -s --max-time 3 --cacert "$STATE_DIR/ca.crt" -H "@$STATE_DIR/auth-header" "$@"
}

tail_log() {
    local name="$1"
    if [ -f "$STATE_DIR/$name.log" ]; then
        log "last lines of $name's log:"
        tail -n "${2:-40}" "$STATE_DIR/$name.log" >&2
    fi
}

# Prints why startup failed, stops what was started, exits non-zero.
fail_start() {
    log "$1"
    shift
    local n
    for n in "$@"; do tail_log "$n"; done
    cmd_stop
    exit 1
}

# Waits until "$@" succeeds, while every named process stays alive; $1 = what, $2 = processes (space separated).
wait_for() {
    local what="$1" p
    local -a procs
    read -r -a procs <<<"$2"
    shift 2
    while :; do
        for p in "${procs[@]}"; do
            alive "$p" || fail_start "$p exited while waiting for $what" "${procs[@]}"
        done
        if "$@"; then return 0; fi
        if [ "$(date +%s)" -ge "$DEADLINE" ]; then
            fail_start "$what not reached within ${TIMEOUT}s" "${procs[@]}"
        fi
        sleep 0.2
    done
}

readyz_ok() { [ "$(kcurl "$SERVER/readyz" || true)" = "ok" ]; }
etcd_ok() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
cm_ok() {
    # healthz, and the root-CA publisher has run (proves the controllers talk to the apiserver).
    [ "$(curl -sk --max-time 2 "https://127.0.0.1:$CM_PORT/healthz" || true)" = "ok" ] &&
        [ "$(kcurl -o /dev/null -w '%{http_code}' "$SERVER/api/v1/namespaces/default/configmaps/kube-root-ca.crt" || true)" = "200" ]
}

spawn() { # name, args... : start in the background, log and pid in the state dir
    local name="$1"
    shift
    nohup "$@" >"$STATE_DIR/$name.log" 2>&1 </dev/null &
    local pid=$! _
    echo "$pid" >"$STATE_DIR/$name.pid"
    # Until the forked shell has exec'd the binary, pid_of (which checks the command line) finds nothing,
    # and wait_for would report an exit with an empty log: wait for the exec (or a real exit) first.
    for _ in $(seq 1 100); do
        [ -n "$(pid_of "$name")" ] && return 0
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
}

gen_certs() {
    local d="$STATE_DIR"
    (
        cd "$d"
        umask 077
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 7 \
            -subj "/CN=vaultkit-kube-test-ca" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
            -subj "/CN=kube-apiserver" 2>/dev/null
        cat >apiserver.ext <<EOF
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage = serverAuth
keyUsage = digitalSignature, keyEncipherment
EOF
        openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
            -extfile apiserver.ext -out apiserver.crt 2>/dev/null
        openssl genrsa -out sa.key 2048 2>/dev/null
        openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
        chmod 644 ca.crt
    ) || fail_start "openssl failed to create the certificates in $d"
}

write_kubeconfig() { # file, user, token
    umask 077
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: vaultkit-kube
    cluster:
      server: $SERVER
      certificate-authority: $STATE_DIR/ca.crt
users:
  - name: $2
    user:
      token: $3
contexts:
  - name: vaultkit-kube
    context:
      cluster: vaultkit-kube
      user: $2
current-context: vaultkit-kube
EOF
}

cmd_start() {
    if [ -n "$STATE_DIR" ] && is_running && [ -f "$SECRET_FILE" ]; then
        # shellcheck disable=SC1090
        SERVER="$(. "$SECRET_FILE" && echo "$VAULTKIT_KUBE_SERVER")"
        if readyz_ok; then
            log "already running at $SERVER (state in $STATE_DIR)"
            echo "export VAULTKIT_KUBE_DIR=$STATE_DIR"
            return
        fi
    fi
    if ! command -v openssl >/dev/null || ! command -v curl >/dev/null || ! command -v node >/dev/null; then
        log "openssl, curl and node are needed on PATH"
        exit 1
    fi
    local bin="${VAULTKIT_KUBE_BIN:-$("$ROOT/scripts/build-kube.sh" --path)}" b
    local procs=(etcd kube-apiserver)
    [ "${VAULTKIT_KUBE_CONTROLLERS:-}" = 1 ] && procs+=(kube-controller-manager)
    for b in "${procs[@]}"; do
        if [ ! -x "$bin/$b" ]; then
            log "$bin/$b is missing; run scripts/build-kube.sh first"
            exit 1
        fi
    done

    # Ports: the given ones must be free; the rest are picked free.
    local picked
    read -r -a picked <<<"$(free_ports 4)"
    PORT="${VAULTKIT_KUBE_PORT:-${picked[0]}}"
    ETCD_PORT="${VAULTKIT_KUBE_ETCD_PORT:-${picked[1]}}"
    if [ -n "${VAULTKIT_KUBE_ETCD_PORT:-}" ]; then
        ETCD_PEER_PORT="${VAULTKIT_KUBE_ETCD_PEER_PORT:-$((ETCD_PORT + 1))}"
    else
        ETCD_PEER_PORT="${VAULTKIT_KUBE_ETCD_PEER_PORT:-${picked[2]}}"
    fi
    CM_PORT="${VAULTKIT_KUBE_CM_PORT:-${picked[3]}}"
    local p
    for p in "$PORT" "$ETCD_PORT" "$ETCD_PEER_PORT" "$CM_PORT"; do
        if ! [[ "$p" =~ ^[0-9]+$ ]] || ! port_free "$p"; then
            log "port '$p' on 127.0.0.1 is not free (kube-apiserver $PORT, etcd $ETCD_PORT/$ETCD_PEER_PORT," \
                "controller-manager $CM_PORT); set VAULTKIT_KUBE_PORT/_ETCD_PORT/_ETCD_PEER_PORT/_CM_PORT to free ports"
            exit 1
        fi
    done
    [ -n "$STATE_DIR" ] || STATE_DIR="${TMPDIR:-/tmp}/vaultkit-kube-${PORT}"
    SECRET_FILE="$STATE_DIR/kube.env"
    SERVER="https://127.0.0.1:$PORT"
    TIMEOUT="${VAULTKIT_KUBE_START_TIMEOUT:-120}"

    if [ -e "$STATE_DIR" ]; then
        log "removing stale state in $STATE_DIR"
        cmd_stop
    fi
    mkdir -p "$STATE_DIR"
    chmod 700 "$STATE_DIR"
    local started
    started=$(date +%s%N)
    DEADLINE=$(($(date +%s) + TIMEOUT))
    # From here on every failure path stops what was started.
    trap 'fail_start "interrupted" ' INT TERM

    gen_certs
    local admin_token cm_token
    admin_token="$(openssl rand -hex 32)"
    cm_token="$(openssl rand -hex 32)"
    (
        umask 077
        # token,user,uid,"group1,group2"
        printf '%s,vaultkit-admin,vaultkit-admin,"system:masters"\n' "$admin_token" >"$STATE_DIR/tokens.csv"
        printf '%s,system:kube-controller-manager,system:kube-controller-manager\n' "$cm_token" >>"$STATE_DIR/tokens.csv"
        printf 'Authorization: Bearer %s\n' "$admin_token" >"$STATE_DIR/auth-header"
        cat >"$SECRET_FILE" <<EOF
export KUBECONFIG=$STATE_DIR/admin.kubeconfig
export VAULTKIT_KUBE_SERVER=$SERVER
export VAULTKIT_KUBE_CA_FILE=$STATE_DIR/ca.crt
export VAULTKIT_KUBE_TOKEN=$admin_token
export VAULTKIT_KUBE_DIR=$STATE_DIR
EOF
    )
    write_kubeconfig "$STATE_DIR/admin.kubeconfig" vaultkit-admin "$admin_token"
    write_kubeconfig "$STATE_DIR/controller-manager.kubeconfig" system:kube-controller-manager "$cm_token"

    spawn etcd "$bin/etcd" --name=vaultkit --data-dir="$STATE_DIR/etcd" \
        --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster="vaultkit=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level=warn
    wait_for "etcd health on 127.0.0.1:$ETCD_PORT" etcd etcd_ok

    spawn kube-apiserver "$bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$PORT" \
        --cert-dir="$STATE_DIR/apiserver-certs" \
        --tls-cert-file="$STATE_DIR/apiserver.crt" --tls-private-key-file="$STATE_DIR/apiserver.key" \
        --client-ca-file="$STATE_DIR/ca.crt" --token-auth-file="$STATE_DIR/tokens.csv" \
        --service-account-issuer=https://kubernetes.default.svc --api-audiences=https://kubernetes.default.svc \
        --service-account-key-file="$STATE_DIR/sa.pub" --service-account-signing-key-file="$STATE_DIR/sa.key" \
        --authorization-mode=RBAC --anonymous-auth=false \
        --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true --endpoint-reconciler-type=none
    wait_for "kube-apiserver /readyz at $SERVER" "etcd kube-apiserver" readyz_ok
    log "kube-apiserver ready at $SERVER after $((($(date +%s%N) - started) / 1000000)) ms"

    if [ "${VAULTKIT_KUBE_CONTROLLERS:-}" = 1 ]; then
        local kc="$STATE_DIR/controller-manager.kubeconfig"
        spawn kube-controller-manager "$bin/kube-controller-manager" \
            --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
            --bind-address=127.0.0.1 --secure-port="$CM_PORT" --cert-dir="$STATE_DIR/controller-manager-certs" \
            --leader-elect=false --use-service-account-credentials \
            --service-account-private-key-file="$STATE_DIR/sa.key" --root-ca-file="$STATE_DIR/ca.crt" \
            --cluster-name=vaultkit
        wait_for "kube-controller-manager healthy (healthz on $CM_PORT, kube-root-ca.crt published)" \
            "etcd kube-apiserver kube-controller-manager" cm_ok
        log "kube-controller-manager healthy after $((($(date +%s%N) - started) / 1000000)) ms"
    fi
    trap - INT TERM
    log "up at $SERVER (state in $STATE_DIR; eval \"\$($0 env)\" with VAULTKIT_KUBE_DIR set)"
    echo "export VAULTKIT_KUBE_DIR=$STATE_DIR"
}

cmd_stop() {
    need_state_dir
    local name pid
    for name in "${PROCS[@]}"; do # controller-manager, apiserver, then etcd
        pid="$(pid_of "$name")"
        if [ -n "$pid" ]; then stop_pid "$pid"; fi
    done
    remove_state_dir
}

# shellcheck source=scripts/lib/test-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh"
if [ "${1:-}" = env ]; then need_state_dir; fi
dispatch "${1:-}"
