/**
 * The four steps of the {@link VaultBootstrap} Job as POSIX sh, and the data they share (paths in
 * the pod, the PGP key file names, the `vault operator init` flags). Pure: tests check the text and
 * run it against fake `vault` and `kubectl` commands. Every value spliced into a script is validated
 * first (names are DNS labels, counts whole numbers), so nothing needs shell quoting.
 */
import { isDnsLabel } from "../kubernetes/names";
import { normalizePgpPublicKey } from "./pgpPublicKey";

/** How long the store step retries writing the Secret before giving up. */
export const STORE_TIMEOUT_SECONDS = 600;

/** Paths inside the Job's containers. */
export const BOOTSTRAP_PATHS = {
    /** Memory-backed emptyDir shared by `init` and `store`. */
    work: "/bootstrap",
    /** The init output (PGP ciphertext only), present only between `init` and `store`. */
    initOutput: "/bootstrap/init.json",
    /** Marker that makes every later step fail: the init output was refused and destroyed. */
    refusedMarker: "/bootstrap/refused",
    /** ConfigMap with the PGP public keys. */
    pgp: "/vault/pgp",
    /** Only `ca.crt` of the TLS Secret is mounted (never the server's key). */
    tlsDir: "/vault/tls",
    caFile: "/vault/tls/ca.crt",
} as const;

/** The Secret the Job writes: `<release>-init-encrypted`. */
export function initSecretNameFor(releaseName: string): string {
    return `${releaseName}-init-encrypted`;
}

/** What the scripts need; every string is validated before it is spliced into shell. */
export interface VaultBootstrapSpec {
    /** vault-helm release: pods `<release>-<i>` behind the headless Service `<release>-internal`. */
    releaseName: string;
    /** Raft members. */
    replicas: number;
    /** Key shares (= number of PGP keys). */
    shares: number;
    /** Shares needed to recover (auto-unseal) or unseal (Shamir). */
    threshold: number;
    /** Auto-unseal (`seal` stanza): recovery flags. Otherwise Shamir unseal-key flags. */
    autoUnseal: boolean;
    /** Budget (seconds) to wait for Vault to answer, and separately for it to unseal. */
    timeoutSeconds: number;
}

/** Throws on anything Vault would refuse (SealConfig.Validate) or the scripts cannot splice. */
export function validateBootstrapSpec(spec: VaultBootstrapSpec): void {
    if (!isDnsLabel(spec.releaseName, 40)) {
        throw new Error(`releaseName must be a DNS label of at most 40 characters, got ${JSON.stringify(spec.releaseName)}`);
    }
    if (!Number.isInteger(spec.replicas) || spec.replicas < 1 || spec.replicas > 9) {
        throw new Error(`replicas must be a whole number from 1 to 9, got ${spec.replicas}`);
    }
    if (!Number.isInteger(spec.shares) || spec.shares < 1 || spec.shares > 255) {
        throw new Error(`the number of PGP keys (key shares) must be from 1 to 255, got ${spec.shares}`);
    }
    if (!Number.isInteger(spec.threshold) || spec.threshold < 1) {
        throw new Error(`threshold must be a whole number of at least 1, got ${spec.threshold}`);
    }
    if (spec.threshold > spec.shares) {
        throw new Error(`threshold (${spec.threshold}) cannot exceed the number of PGP keys (${spec.shares})`);
    }
    if (spec.shares > 1 && spec.threshold < 2) {
        throw new Error(`threshold must be at least 2 when there are ${spec.shares} key shares (Vault refuses a threshold of 1 for multiple shares)`);
    }
    if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 60) {
        throw new Error(`timeoutSeconds must be a whole number of at least 60, got ${spec.timeoutSeconds}`);
    }
}

/**
 * ConfigMap file names of the public keys, in share order. Each file holds base64; the names end in
 * `public-key` so the plaintext-credentials policy (and a reader) sees they are not credentials.
 */
export function pgpKeyFileNames(shares: number): { shares: string[]; rootToken: string } {
    return { shares: Array.from({ length: shares }, (_, i) => `share-${i}.public-key`), rootToken: "root-token.public-key" };
}

/** The ConfigMap data: one file per public key, base64 without whitespace. */
export function pgpKeysConfigMapData(shareKeys: string[], rootTokenKey: string): Record<string, string> {
    const names = pgpKeyFileNames(shareKeys.length);
    const data: Record<string, string> = {};
    shareKeys.forEach((k, i) => (data[names.shares[i]!] = normalizePgpPublicKey(k, `PGP key for share ${i}`)));
    data[names.rootToken] = normalizePgpPublicKey(rootTokenKey, "root token PGP key");
    return data;
}

/** The `vault operator init` flags: share counts plus PGP encryption of every share and the root token. */
export function vaultInitFlags(spec: Pick<VaultBootstrapSpec, "shares" | "threshold" | "autoUnseal">): string[] {
    const names = pgpKeyFileNames(spec.shares);
    const keyFiles = names.shares.map((n) => `${BOOTSTRAP_PATHS.pgp}/${n}`).join(",");
    const rootKey = `-root-token-pgp-key=${BOOTSTRAP_PATHS.pgp}/${names.rootToken}`;
    return spec.autoUnseal
        ? [`-recovery-shares=${spec.shares}`, `-recovery-threshold=${spec.threshold}`, `-recovery-pgp-keys=${keyFiles}`, rootKey]
        : [`-key-shares=${spec.shares}`, `-key-threshold=${spec.threshold}`, `-pgp-keys=${keyFiles}`, rootKey];
}

/** Common shell prelude: strict mode, private files, a deadline. */
function prelude(timeoutSeconds: number): string[] {
    return [
        "set -eu",
        "umask 077",
        `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
        `expired() { [ "$(date +%s)" -ge "$deadline" ]; }`,
        `if [ -e ${BOOTSTRAP_PATHS.refusedMarker} ]; then echo "an earlier step refused the init output of this pod; see its log. Nothing else runs." >&2; exit 1; fi`,
    ];
}

/**
 * Shell helpers that call one member over TLS, verifying it against the mounted CA. Members are
 * addressed by the names retry_join uses (`<release>-<i>.<release>-internal.<ns>.svc`), which the
 * certificate must cover already.
 */
function vaultCliHelpers(releaseName: string): string[] {
    return [
        `addr() { echo "https://${releaseName}-$1.${releaseName}-internal.\${POD_NAMESPACE}.svc:8200"; }`,
        // Exit codes: init -status 0 initialised, 2 not initialised, 1 error; status 0 unsealed, 2 sealed, 1 error.
        `init_status() { vault operator init -status -address="$(addr "$1")" -ca-cert=${BOOTSTRAP_PATHS.caFile} >/dev/null 2>&1; }`,
        `seal_status() { vault status -address="$(addr "$1")" -ca-cert=${BOOTSTRAP_PATHS.caFile} >/dev/null 2>&1; }`,
    ];
}

/**
 * The `init` step (vault image). Initialises `<release>-0` only when neither it nor any peer is
 * initialised; writes the JSON (PGP ciphertext only) to the shared emptyDir, never to stdout/stderr.
 */
export function vaultInitScript(spec: VaultBootstrapSpec): string {
    validateBootstrapSpec(spec);
    const r = spec.releaseName;
    const out = BOOTSTRAP_PATHS.initOutput;
    return [
        ...prelude(spec.timeoutSeconds),
        ...vaultCliHelpers(r),
        `if [ -s ${out} ]; then echo "init output of an earlier attempt in this pod is waiting for the store step"; exit 0; fi`,
        `# 1. ${r}-0 answers: initialised -> nothing to do (idempotent); not initialised -> check the peers.`,
        `while :; do`,
        `  set +e; init_status 0; rc=$?; set -e`,
        `  if [ "$rc" -eq 0 ]; then echo "${r}-0 is already initialised: nothing to initialise"; exit 0; fi`,
        `  if [ "$rc" -eq 2 ]; then break; fi`,
        `  if expired; then echo "timed out waiting for $(addr 0) to answer over TLS" >&2; exit 1; fi`,
        `  sleep 5`,
        `done`,
        `# 2. Every peer must answer, and none may be initialised: ${r}-0 would otherwise start a second`,
        `#    cluster instead of rejoining the existing one (e.g. after its volume was lost).`,
        `i=1`,
        `while [ "$i" -lt ${spec.replicas} ]; do`,
        `  set +e; init_status "$i"; rc=$?; set -e`,
        `  if [ "$rc" -eq 0 ]; then`,
        `    echo "${r}-$i is initialised but ${r}-0 is not: not initialising a second cluster; waiting for ${r}-0 to rejoin through retry_join"`,
        `    until init_status 0; do`,
        `      if expired; then echo "timed out: ${r}-0 did not rejoin the initialised cluster" >&2; exit 1; fi`,
        `      sleep 5`,
        `    done`,
        `    echo "${r}-0 rejoined the initialised cluster: nothing to initialise"`,
        `    exit 0`,
        `  fi`,
        `  if [ "$rc" -eq 2 ]; then i=$((i + 1)); continue; fi`,
        `  if expired; then echo "timed out waiting for $(addr "$i") to answer over TLS" >&2; exit 1; fi`,
        `  sleep 5`,
        `done`,
        `# 3. Initialise. stdout (the JSON) goes to the memory-backed emptyDir only. The call gets the whole`,
        `#    budget, not the status calls' 10 s: the server finishes an init whose caller gave up, and that`,
        `#    caller's output (the only copy of the keys) would be lost (seen on a loaded node, Raft + PGP).`,
        `echo "initialising Vault on ${r}-0 (${spec.shares} ${spec.autoUnseal ? "recovery" : "unseal"} key shares, threshold ${spec.threshold}; shares and root token PGP-encrypted)"`,
        `set +e`,
        `VAULT_CLIENT_TIMEOUT=${spec.timeoutSeconds}s vault operator init -format=json -address="$(addr 0)" -ca-cert=${BOOTSTRAP_PATHS.caFile} \\`,
        `  ${vaultInitFlags(spec).join(" \\\n  ")} > ${out}.tmp`,
        `rc=$?`,
        `set -e`,
        `if [ "$rc" -ne 0 ]; then`,
        `  rm -f ${out}.tmp`,
        `  if init_status 0; then`,
        `    echo "${r}-0 is initialised, but this run's 'vault operator init' failed (exit $rc): another run initialised it at the same time (its store step keeps the output), or this call's answer was lost. Nothing to store from this run; if Secret ${initSecretNameFor(r)} holds no init output, see docs/troubleshooting.md" >&2`,
        `    exit 0`,
        `  fi`,
        `  echo "vault operator init failed (exit $rc)" >&2`,
        `  exit 1`,
        `fi`,
        `# Defence in depth: a PGP-encrypted root token is base64 ciphertext, never a Vault token.`,
        `if grep -Eq '"root_token": *"(hvs|hvb|hvr|s|b|r)\\.' ${out}.tmp; then`,
        `  rm -f ${out}.tmp`,
        `  : > ${BOOTSTRAP_PATHS.refusedMarker}`,
        `  echo "refusing to store init output with a plaintext root token; it was destroyed. Re-initialise Vault (wipe its PVCs) after fixing the PGP keys." >&2`,
        `  exit 1`,
        `fi`,
        `mv ${out}.tmp ${out}`,
        `echo "Vault initialised; the encrypted output is handed to the store step"`,
        "",
    ].join("\n");
}

/** The `preflight` step (kubectl): fail before init if the Secret could not be stored. */
export function vaultBootstrapPreflightScript(secretName: string): string {
    if (!isDnsLabel(secretName)) {
        throw new Error(`secret name must be a DNS label, got ${JSON.stringify(secretName)}`);
    }
    return [
        "set -eu",
        `for check in "get secrets/${secretName}" "patch secrets/${secretName}" "create secrets"; do`,
        `  if ! kubectl auth can-i $check -n "$POD_NAMESPACE" >/dev/null 2>&1; then`,
        `    echo "the bootstrap service account cannot '$check' in $POD_NAMESPACE: the init output could not be stored, so Vault is not initialised" >&2`,
        `    exit 1`,
        `  fi`,
        `done`,
        `echo "RBAC allows storing the encrypted init output in Secret ${secretName}"`,
        "",
    ].join("\n");
}

/**
 * The `store` step (kubectl). With no fresh init output it leaves the Secret untouched. Otherwise it
 * creates the Secret (key `init.json`), or, if a Secret from an earlier initialisation exists, adds
 * `init-<epoch>.json` to it rather than lose either; then verifies the stored bytes and deletes the file.
 */
export function vaultBootstrapStoreScript(secretName: string, timeoutSeconds = STORE_TIMEOUT_SECONDS): string {
    if (!isDnsLabel(secretName)) {
        throw new Error(`secret name must be a DNS label, got ${JSON.stringify(secretName)}`);
    }
    const f = BOOTSTRAP_PATHS.initOutput;
    const patch = `${BOOTSTRAP_PATHS.work}/patch.json`;
    return [
        ...prelude(timeoutSeconds),
        `if [ ! -s ${f} ]; then`,
        `  echo "no new init output (Vault was already initialised): Secret ${secretName} left untouched"`,
        `  exit 0`,
        `fi`,
        `b64() { base64 < "$1" | tr -d '\\n'; }`,
        `key=""`,
        `store() {`,
        `  if [ -z "$key" ]; then`,
        `    existing="$(kubectl get secret ${secretName} -n "$POD_NAMESPACE" --ignore-not-found -o name)" || return 1`,
        `    if [ -z "$existing" ]; then`,
        `      kubectl create secret generic ${secretName} -n "$POD_NAMESPACE" --from-file=init.json=${f} >/dev/null || return 1`,
        `      key=init.json`,
        `    else`,
        `      k="init-$(date +%s).json"`,
        `      echo "Secret ${secretName} holds an earlier initialisation's output; adding this one as $k"`,
        `      printf '[{"op":"add","path":"/data/%s","value":"%s"}]' "$k" "$(b64 ${f})" > ${patch}`,
        `      kubectl patch secret ${secretName} -n "$POD_NAMESPACE" --type=json --patch-file=${patch} >/dev/null || return 1`,
        `      rm -f ${patch}`,
        `      key="$k"`,
        `    fi`,
        `  fi`,
        `  stored="$(kubectl get secret ${secretName} -n "$POD_NAMESPACE" -o go-template="{{index .data \\"$key\\"}}")" || return 1`,
        `  if [ "$stored" = "$(b64 ${f})" ]; then return 0; fi`,
        `  echo "Secret ${secretName} key $key does not hold this run's output; storing it under a new key" >&2`,
        `  key=""`,
        `  return 1`,
        `}`,
        `until store; do`,
        `  if expired; then echo "could not store the init output in Secret ${secretName}; it stays in this pod's memory volume until the pod is deleted" >&2; exit 1; fi`,
        `  sleep 5`,
        `done`,
        `kubectl label secret ${secretName} -n "$POD_NAMESPACE" --overwrite app.kubernetes.io/managed-by=vaultkit-bootstrap app.kubernetes.io/component=vault-init >/dev/null || echo "warning: could not label Secret ${secretName}" >&2`,
        `rm -f ${f}`,
        `echo "encrypted init output stored in Secret ${secretName} (key $key)"`,
        "",
    ].join("\n");
}

/** The `wait-unsealed` step (vault image): every member must report `sealed=false` over TLS. */
export function vaultUnsealWaitScript(spec: VaultBootstrapSpec, secretName: string): string {
    validateBootstrapSpec(spec);
    const r = spec.releaseName;
    const hint = spec.autoUnseal
        ? `waiting for ${r}-$i to join Raft and auto-unseal (check the seal stanza and its credentials if this lasts)`
        : `${r}-$i is sealed: key holders decrypt their shares from Secret ${secretName} and run 'vault operator unseal' against it (threshold ${spec.threshold})`;
    return [
        ...prelude(spec.timeoutSeconds),
        ...vaultCliHelpers(r),
        `i=0`,
        `n=0`,
        `while [ "$i" -lt ${spec.replicas} ]; do`,
        `  set +e; seal_status "$i"; rc=$?; set -e`,
        `  if [ "$rc" -eq 0 ]; then echo "${r}-$i is unsealed"; i=$((i + 1)); n=0; continue; fi`,
        `  if expired; then echo "timed out: ${r}-$i is not unsealed (exit $rc from vault status)" >&2; exit 1; fi`,
        `  if [ $((n % 12)) -eq 0 ]; then echo "${hint}"; fi`,
        `  n=$((n + 1))`,
        `  sleep 5`,
        `done`,
        `echo "all ${spec.replicas} Raft members are initialised and unsealed"`,
        "",
    ].join("\n");
}
