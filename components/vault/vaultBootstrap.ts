/**
 * Declarative, idempotent initialisation of the HA (Raft, TLS) Vault, and a gate that opens only
 * once every Raft member is unsealed. `vault operator init` runs in a Job with PGP-encrypted output:
 * the recovery (or, without auto-unseal, unseal) key shares and the initial root token leave Vault
 * only as ciphertext for the key holders' public keys, land in the Secret `<release>-init-encrypted`,
 * and never pass through Pulumi (not in inputs, outputs, state or logs).
 *
 * The Job's pod runs, in order:
 *   1. `preflight` (kubectl): the service account may get/create/patch that Secret, checked before
 *      anything irreversible happens;
 *   2. `init` (vault CLI, TLS with the CA from the TLS Secret): waits for `<release>-0`, initialises
 *      only when no member is initialised, writes the JSON (ciphertext only) to a memory emptyDir;
 *   3. `store` (kubectl): creates the Secret from that file (or adds a new key when an earlier
 *      initialisation's Secret exists), verifies it, deletes the file;
 *   4. `wait-unsealed` (vault CLI): waits until every member answers `sealed=false`.
 * Pulumi awaits Job completion, so resources that `dependsOn` {@link VaultBootstrap.ready} (the
 * `vault.Provider`) configure Vault only once it is initialised and unsealed. A re-run or a replaced
 * Job finds Vault initialised and does nothing but the unseal check.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { PINNED } from "../versions";
import { normalizePgpPublicKey } from "./pgpPublicKey";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** Images of the bootstrap Job. */
export interface VaultBootstrapImages {
    /** A pinned image with `sh` and `kubectl`. */
    kubectl: string;
    /** A pinned image with the `vault` CLI; default: the server's own image. */
    vault?: string;
}

/** Pinned images with `sh` and `kubectl` for the Secret-handling steps (pins and sources: components/versions.ts). */
export const VAULT_BOOTSTRAP_KUBECTL_IMAGES = PINNED.kubectlImages;

/** The Vault CLI image: the server's own (vault-helm `server.image`), so mirrors and pull rules match. */
export const DEFAULT_VAULT_BOOTSTRAP_IMAGE = `hashicorp/vault:${PINNED.vaultChart.appVersion}`;

/** UID for the Job on plain Kubernetes (both images would otherwise run as root); never on OpenShift. */
export const KUBERNETES_BOOTSTRAP_UID = 65532;

/** Default wait budgets (seconds) for Vault to answer and, separately, to unseal. */
export const DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS = {
    /** Auto-unseal: pods scheduled, images pulled, Raft joined and unsealed without a person. */
    autoUnseal: 900,
    /** Shamir: key holders decrypt their shares and run `vault operator unseal` on every pod. */
    manual: 3600,
} as const;

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

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PINNED_IMAGE = /^[^\s:@]+(:[0-9A-Za-z._-]+)?(@sha256:[0-9a-f]{64})?$/;

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
    if (!DNS_LABEL.test(spec.releaseName) || spec.releaseName.length > 40) {
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
    if (!DNS_LABEL.test(secretName)) {
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
    if (!DNS_LABEL.test(secretName)) {
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

/**
 * RBAC of the Job: get and patch only the one Secret. `create` cannot be limited by resourceNames
 * (the API server authorises a create before the object's name is known), so it covers Secrets of
 * any name in Vault's namespace, for the minutes the Job's token lives.
 */
export function vaultBootstrapRules(secretName: string): PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["secrets"], resourceNames: [secretName], verbs: ["get", "patch"] },
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    ];
}

const CONTAINER_SECURITY: k8s.types.input.core.v1.SecurityContext = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** Volume names in the Job's pod. */
const VOLUMES = { work: "bootstrap", pgp: "pgp-keys", tls: "vault-ca", tmp: "tmp", kubeApi: "kube-api-access" } as const;

/** Inputs of {@link vaultBootstrapPodSpec}. */
export interface VaultBootstrapPodInput {
    serviceAccountName: pulumi.Input<string>;
    pgpConfigMapName: pulumi.Input<string>;
    tlsSecretName: string;
    images: { vault: string; kubectl: string };
    scripts: { preflight: string; init: string; store: string; waitUnsealed: string };
    /** Only on plain Kubernetes (both images default to root); never on OpenShift. */
    runAsUser?: number;
}

/**
 * The Job's pod. The Kubernetes API token is mounted only into the two kubectl steps (pod-level
 * automount is off), the TLS Secret contributes only `ca.crt`, and the init output lives in a
 * memory-backed emptyDir. `OnFailure` keeps that volume across container retries.
 */
export function vaultBootstrapPodSpec(p: VaultBootstrapPodInput): PodSpec {
    const env = [
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "HOME", value: "/tmp" },
    ];
    const vaultEnv = [...env, { name: "VAULT_CLIENT_TIMEOUT", value: "10s" }];
    const tmp = { name: VOLUMES.tmp, mountPath: "/tmp" };
    const work = { name: VOLUMES.work, mountPath: BOOTSTRAP_PATHS.work };
    const kubeApi = { name: VOLUMES.kubeApi, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true };
    const ca = { name: VOLUMES.tls, mountPath: BOOTSTRAP_PATHS.tlsDir, readOnly: true };
    const small = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
    const kubectlResources = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } };
    const container = (name: string, image: string, script: string, extra: Partial<Container>): Container => ({
        name,
        image,
        command: ["/bin/sh", "-c", script],
        securityContext: CONTAINER_SECURITY,
        ...extra,
    });
    return {
        serviceAccountName: p.serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: "OnFailure",
        securityContext: {
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            ...(p.runAsUser !== undefined ? { runAsUser: p.runAsUser, runAsGroup: p.runAsUser } : {}),
        },
        initContainers: [
            container("preflight", p.images.kubectl, p.scripts.preflight, { env, volumeMounts: [tmp, kubeApi], resources: kubectlResources }),
            container("init", p.images.vault, p.scripts.init, {
                env: vaultEnv,
                volumeMounts: [tmp, work, ca, { name: VOLUMES.pgp, mountPath: BOOTSTRAP_PATHS.pgp, readOnly: true }],
                resources: small,
            }),
            container("store", p.images.kubectl, p.scripts.store, { env, volumeMounts: [tmp, work, kubeApi], resources: kubectlResources }),
        ],
        containers: [container("wait-unsealed", p.images.vault, p.scripts.waitUnsealed, { env: vaultEnv, volumeMounts: [tmp, ca], resources: small })],
        volumes: [
            { name: VOLUMES.work, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
            { name: VOLUMES.tmp, emptyDir: { sizeLimit: "32Mi" } },
            { name: VOLUMES.pgp, configMap: { name: p.pgpConfigMapName, defaultMode: 0o444 } },
            { name: VOLUMES.tls, secret: { secretName: p.tlsSecretName, defaultMode: 0o444, items: [{ key: "ca.crt", path: "ca.crt" }] } },
            {
                name: VOLUMES.kubeApi,
                projected: {
                    defaultMode: 0o444,
                    sources: [
                        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
                    ],
                },
            },
        ],
    };
}

function assertPinned(what: string, image: string): void {
    const last = image.split("@")[0]!.split("/").pop()!;
    if (!PINNED_IMAGE.test(image) || !(/:[0-9A-Za-z._-]+$/.test(last) || image.includes("@sha256:")) || /:latest(@|$)/.test(image)) {
        throw new Error(`${what} must be an image pinned to a tag or digest (not ':latest'), got ${JSON.stringify(image)}`);
    }
}

/** Arguments of {@link VaultBootstrap}. */
export interface VaultBootstrapArgs {
    /** Vault's namespace; the Job runs there (its scripts read it from the downward API). */
    namespace: pulumi.Input<string>;
    /** vault-helm release name: members are `<release>-<i>` behind the headless Service `<release>-internal`. */
    releaseName: string;
    /** Raft replicas (`server.ha.replicas`). */
    replicas: number;
    /** The listener's TLS Secret; only its `ca.crt` is mounted, to verify the members' certificates. */
    tlsSecretName: string;
    /**
     * Base64 PGP public keys (`gpg --export KEYID | base64 -w0`), one per key share, one key holder
     * each: recovery key shares with auto-unseal, unseal key shares without.
     */
    recoveryPgpKeys: string[];
    /** Base64 PGP public key the initial root token is encrypted to. */
    rootTokenPgpKey: string;
    /** Shares needed to recover (auto-unseal) or unseal (Shamir): 1 <= threshold <= keys, and >= 2 with several keys. */
    recoveryThreshold: number;
    /** True when the server config has a `seal` stanza (auto-unseal); false means Shamir and manual unsealing. */
    autoUnseal: boolean;
    /** Refuse manual (Shamir) unsealing: every pod restart would need key holders. Default false. */
    production?: boolean;
    /** Pinned images: `kubectl` with `sh` (see {@link VAULT_BOOTSTRAP_KUBECTL_IMAGES}); `vault` defaults to {@link DEFAULT_VAULT_BOOTSTRAP_IMAGE}. */
    images: VaultBootstrapImages;
    /** Pod UID; set it only on plain Kubernetes ({@link KUBERNETES_BOOTSTRAP_UID}), never on OpenShift. */
    runAsUser?: number;
    /** Seconds to wait for Vault to answer, and again to unseal. Defaults: {@link DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS}. */
    timeoutSeconds?: number;
}

/**
 * Initialises the HA Vault with PGP-encrypted recovery/unseal shares and root token, stores the
 * ciphertext in the Secret `<release>-init-encrypted`, and completes only when every Raft member is
 * unsealed. Give it `dependsOn: [vaultServer]`; make the `vault.Provider` depend on {@link ready}.
 */
export class VaultBootstrap extends pulumi.ComponentResource {
    /** The Job; it completes only when Vault is initialised and every member is unsealed. */
    public readonly job: k8s.batch.v1.Job;
    /** The ConfigMap with the PGP public keys. */
    public readonly pgpKeys: k8s.core.v1.ConfigMap;
    /** Everything to `dependsOn` before configuring Vault. */
    public readonly ready: pulumi.Resource[];
    /** Name of the Secret holding the encrypted init output (created by the Job, not by Pulumi). */
    public readonly initSecretName: pulumi.Output<string>;

    constructor(name: string, args: VaultBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        // Bad arguments fail before anything is registered (this component included).
        if (!args.autoUnseal && args.production) {
            throw new Error(
                `VaultBootstrap ${name}: a production Vault needs auto-unseal (a seal stanza in the server config); with Shamir keys every pod restart waits for key holders`,
            );
        }
        const timeoutSeconds = args.timeoutSeconds ?? (args.autoUnseal ? DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS.autoUnseal : DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS.manual);
        const spec: VaultBootstrapSpec = {
            releaseName: args.releaseName,
            replicas: args.replicas,
            shares: args.recoveryPgpKeys.length,
            threshold: args.recoveryThreshold,
            autoUnseal: args.autoUnseal,
            timeoutSeconds,
        };
        try {
            validateBootstrapSpec(spec);
        } catch (e) {
            throw new Error(`VaultBootstrap ${name}: ${(e as Error).message}`);
        }
        let pgpData: Record<string, string>;
        try {
            pgpData = pgpKeysConfigMapData(args.recoveryPgpKeys, args.rootTokenPgpKey);
        } catch (e) {
            throw new Error(`VaultBootstrap ${name}: ${(e as Error).message}`);
        }
        const shareKeys = args.recoveryPgpKeys.map((k) => k.replace(/\s+/g, ""));
        if (new Set(shareKeys).size !== shareKeys.length) {
            throw new Error(`VaultBootstrap ${name}: every key share needs its own PGP key (one key holder per share), but some keys repeat`);
        }
        if (!DNS_SUBDOMAIN.test(args.tlsSecretName) || args.tlsSecretName.length > 253) {
            throw new Error(`VaultBootstrap ${name}: tlsSecretName must be a Kubernetes object name, got ${JSON.stringify(args.tlsSecretName)}`);
        }
        const images = { vault: args.images.vault ?? DEFAULT_VAULT_BOOTSTRAP_IMAGE, kubectl: args.images.kubectl };
        assertPinned(`VaultBootstrap ${name}: images.vault`, images.vault);
        assertPinned(`VaultBootstrap ${name}: images.kubectl`, images.kubectl);
        super("vaultkit:index:VaultBootstrap", name, args, opts);

        const secretName = initSecretNameFor(args.releaseName);
        const labels = {
            "app.kubernetes.io/name": name,
            "app.kubernetes.io/component": "vault-bootstrap",
            "app.kubernetes.io/part-of": "vaultkit",
            "app.kubernetes.io/managed-by": "pulumi",
        };

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { namespace: args.namespace, labels }, automountServiceAccountToken: false },
            { parent: this },
        );
        const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: { namespace: args.namespace, labels }, rules: vaultBootstrapRules(secretName) }, { parent: this });
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-rolebinding`,
            {
                metadata: { namespace: args.namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: args.namespace }],
            },
            { parent: this },
        );
        // Public keys only. Autonamed and immutable: new keys make a new ConfigMap and a new Job,
        // which finds Vault initialised and does nothing (rekeying is `vault operator rekey`).
        this.pgpKeys = new k8s.core.v1.ConfigMap(
            `${name}-pgp-keys`,
            { metadata: { namespace: args.namespace, labels }, immutable: true, data: pgpData },
            { parent: this },
        );

        const scripts = {
            preflight: vaultBootstrapPreflightScript(secretName),
            init: vaultInitScript(spec),
            store: vaultBootstrapStoreScript(secretName),
            waitUnsealed: vaultUnsealWaitScript(spec, secretName),
        };
        // Budget: wait for Vault + store + wait for unseal, plus slack for pulls and retries.
        const activeDeadlineSeconds = 2 * timeoutSeconds + STORE_TIMEOUT_SECONDS + 300;
        // Autonamed, so a changed spec replaces the Job (its pod template is immutable); the new Job
        // is a no-op on an initialised Vault. No ttlSecondsAfterFinished: a vanished Job is drift.
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: {
                    namespace: args.namespace,
                    labels,
                    annotations: { "pulumi.com/timeoutSeconds": String(activeDeadlineSeconds + 120) },
                },
                spec: {
                    backoffLimit: 6,
                    activeDeadlineSeconds,
                    template: {
                        metadata: { labels },
                        spec: vaultBootstrapPodSpec({
                            serviceAccountName: serviceAccount.metadata.name,
                            pgpConfigMapName: this.pgpKeys.metadata.name,
                            tlsSecretName: args.tlsSecretName,
                            images,
                            scripts,
                            runAsUser: args.runAsUser,
                        }),
                    },
                },
            },
            { parent: this, dependsOn: childDependsOn(opts, binding) },
        );

        this.ready = [this.job];
        this.initSecretName = pulumi.output(secretName);
        this.registerOutputs({ job: this.job, pgpKeys: this.pgpKeys, initSecretName: this.initSecretName });
    }
}
