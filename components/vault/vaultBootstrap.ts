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
import { checkedInput } from "../inputs";
import { assertPinnedImage } from "../kubernetes/images";
import { declareJobWithRbac } from "../kubernetes/jobWithRbac";
import { standardLabels } from "../kubernetes/labels";
import { isDnsSubdomain } from "../kubernetes/names";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kubernetes/securityContexts";
import { PINNED } from "../versions";
import {
    BOOTSTRAP_PATHS,
    STORE_TIMEOUT_SECONDS,
    VaultBootstrapSpec,
    initSecretNameFor,
    pgpKeysConfigMapData,
    validateBootstrapSpec,
    vaultBootstrapPreflightScript,
    vaultBootstrapStoreScript,
    vaultInitScript,
    vaultUnsealWaitScript,
} from "./vaultBootstrapScripts";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** Images of the bootstrap Job. */
export interface VaultBootstrapImages {
    /** A pinned image with `sh` and `kubectl`. */
    kubectl: pulumi.Input<string>;
    /** A pinned image with the `vault` CLI; default: the server's own image. */
    vault?: pulumi.Input<string>;
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

/** Volume names in the Job's pod. */
const VOLUMES = { work: "bootstrap", pgp: "pgp-keys", tls: "vault-ca", tmp: "tmp", kubeApi: "kube-api-access" } as const;

/** Inputs of {@link vaultBootstrapPodSpec}. */
export interface VaultBootstrapPodInput {
    serviceAccountName: pulumi.Input<string>;
    pgpConfigMapName: pulumi.Input<string>;
    tlsSecretName: pulumi.Input<string>;
    images: { vault: pulumi.Input<string>; kubectl: pulumi.Input<string> };
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
    const container = (name: string, image: pulumi.Input<string>, script: string, extra: Partial<Container>): Container => ({
        name,
        image,
        command: ["/bin/sh", "-c", script],
        securityContext: restrictedContainerSecurityContext(),
        ...extra,
    });
    return {
        serviceAccountName: p.serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: "OnFailure",
        securityContext: restrictedPodSecurityContext(p.runAsUser, { fsGroup: false }),
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

/** Arguments of {@link VaultBootstrap}. */
export interface VaultBootstrapArgs {
    /** Vault's namespace; the Job runs there (its scripts read it from the downward API). */
    namespace: pulumi.Input<string>;
    /** vault-helm release name: members are `<release>-<i>` behind the headless Service `<release>-internal`. */
    releaseName: string;
    /** Raft replicas (`server.ha.replicas`). */
    replicas: number;
    /** The listener's TLS Secret; only its `ca.crt` is mounted, to verify the members' certificates. */
    tlsSecretName: pulumi.Input<string>;
    /**
     * Base64 PGP public keys (`gpg --export KEYID | base64 -w0`), one per key share, one key holder
     * each: recovery key shares with auto-unseal, unseal key shares without. The number of keys is
     * the number of shares (it shapes the Job's scripts), so the list itself is plain.
     */
    recoveryPgpKeys: pulumi.Input<string>[];
    /** Base64 PGP public key the initial root token is encrypted to. */
    rootTokenPgpKey: pulumi.Input<string>;
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
        // Bad arguments fail before anything is registered (this component included); an argument
        // that is an Output is checked when its value arrives, with the same message.
        const fail = (message: string): never => {
            throw new Error(`VaultBootstrap ${name}: ${message}`);
        };
        const prefixed =
            <T>(check: (value: T) => void) =>
            (value: T): void => {
                try {
                    check(value);
                } catch (e) {
                    fail((e as Error).message);
                }
            };
        if (!args.autoUnseal && args.production) {
            fail("a production Vault needs auto-unseal (a seal stanza in the server config); with Shamir keys every pod restart waits for key holders");
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
        prefixed(validateBootstrapSpec)(spec);
        const pgpKeys = checkedInput(
            { shares: args.recoveryPgpKeys, rootToken: args.rootTokenPgpKey },
            prefixed((keys: { shares: string[]; rootToken: string }) => {
                pgpKeysConfigMapData(keys.shares, keys.rootToken);
                const shareKeys = keys.shares.map((k) => k.replace(/\s+/g, ""));
                if (new Set(shareKeys).size !== shareKeys.length) {
                    fail("every key share needs its own PGP key (one key holder per share), but some keys repeat");
                }
            }),
        );
        const tlsSecretName = checkedInput(
            args.tlsSecretName,
            prefixed((n: string) => {
                if (!isDnsSubdomain(n)) fail(`tlsSecretName must be a Kubernetes object name, got ${JSON.stringify(n)}`);
            }),
        );
        const images = {
            vault: checkedInput(args.images.vault ?? DEFAULT_VAULT_BOOTSTRAP_IMAGE, (i) => assertPinnedImage(`VaultBootstrap ${name}: images.vault`, i)),
            kubectl: checkedInput(args.images.kubectl, (i) => assertPinnedImage(`VaultBootstrap ${name}: images.kubectl`, i)),
        };
        super("vaultkit:index:VaultBootstrap", name, args, opts);

        const secretName = initSecretNameFor(args.releaseName);
        const labels = standardLabels({ name, component: "vault-bootstrap" });
        // Public keys only. Autonamed and immutable: new keys make a new ConfigMap and a new Job,
        // which finds Vault initialised and does nothing (rekeying is `vault operator rekey`).
        this.pgpKeys = new k8s.core.v1.ConfigMap(
            `${name}-pgp-keys`,
            {
                metadata: { namespace: args.namespace, labels },
                immutable: true,
                data: pulumi.output(pgpKeys).apply((k) => pgpKeysConfigMapData(k.shares, k.rootToken)),
            },
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
        // A changed spec replaces the Job (its pod template is immutable); the new Job is a no-op on
        // an initialised Vault. Only the Job waits for the component's dependsOn (the server).
        this.job = declareJobWithRbac(this, name, {
            namespace: args.namespace,
            labels,
            rules: { namespaced: vaultBootstrapRules(secretName), cluster: [] },
            automountServiceAccountToken: false,
            pod: (serviceAccountName) =>
                vaultBootstrapPodSpec({
                    serviceAccountName,
                    pgpConfigMapName: this.pgpKeys.metadata.name,
                    tlsSecretName,
                    images,
                    scripts,
                    runAsUser: args.runAsUser,
                }),
            backoffLimit: 6,
            activeDeadlineSeconds,
            awaitSeconds: activeDeadlineSeconds + 120,
            jobDependsOn: childDependsOn(opts),
        });

        this.ready = [this.job];
        this.initSecretName = pulumi.output(secretName);
        this.registerOutputs({ job: this.job, pgpKeys: this.pgpKeys, initSecretName: this.initSecretName });
    }
}
