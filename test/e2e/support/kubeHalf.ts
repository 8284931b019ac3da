/**
 * The Kubernetes half of the real program (index.ts) as the e2e tests and `npm run bench:engine` run
 * it on the real engine: a kind-like stack on the kube tier's API server with an existing Vault that
 * another team configures (`vault.configure: false`, so no vault provider is needed — the Go module
 * proxy refuses it) and operators the platform team installed (`operators.install: false`), with
 * StackGres and applications alternating the `sync` and `direct` patterns.
 */
import { LocalWorkspace, PulumiCommand, type ConfigMap, type Stack } from "@pulumi/pulumi/automation";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { pinnedCrdFamilies } from "../../../scripts/lib/validate/crds";
import { SHARED_DIR } from "../../support/shared";
import { waitUntil, type Kube, type KubeObject } from "../../kube/support/kube";
import { objectKey, type ObjectKey } from "./objectLog";
import { engineBinDir, missingBinaries, precondition, REPO_ROOT, type EngineSandbox } from "./engine";
import { missingKubeBinaries } from "./kubeServer";

/** The binaries the Kubernetes half needs (no random or vault provider). */
export const KUBE_HALF_BINARIES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"];

/** What a run of the Kubernetes half needs and does not find: engine and kube binaries, kubectl, the pinned CRDs. */
export function kubeHalfMissing(): string[] {
    const out: string[] = [];
    const engine = missingBinaries(KUBE_HALF_BINARIES);
    if (engine.length > 0) out.push(`engine binaries missing in ${engineBinDir()}: ${engine.join(", ")} (scripts/build-pulumi-engine.sh)`);
    const kube = missingKubeBinaries();
    if (kube.missing.length > 0) out.push(`kube binaries missing in ${kube.dir}: ${kube.missing.join(", ")} (scripts/build-kube.sh)`);
    if (!existsSync("/usr/bin/kubectl")) out.push("/usr/bin/kubectl is missing (the fake kubelet runs the Job gates' scripts with it)");
    const crds = pinnedCrdDirs().filter((d) => !existsSync(d));
    if (crds.length > 0) out.push(`pinned CRDs missing: ${crds.join(", ")} (set VAULTKIT_SHARED_DIR)`);
    return out;
}

/** The e2e files' precondition: what kubeHalfMissing finds, and VAULT_ADDR (scripts/test-e2e.sh's Vault-API server). */
export function kubeHalfSkip(): string | undefined {
    const missing = kubeHalfMissing();
    if (!process.env.VAULT_ADDR) missing.push("VAULT_ADDR is not set (run scripts/test-e2e.sh)");
    return precondition(missing.length === 0, missing.join("; "));
}

/** Every kind the Kubernetes half creates, or the cluster creates for it (pods, ReplicaSets). */
export const KUBE_HALF_KINDS = [
    { apiVersion: "v1", kind: "Namespace" },
    { apiVersion: "v1", kind: "ServiceAccount" },
    { apiVersion: "v1", kind: "Secret" },
    { apiVersion: "v1", kind: "ConfigMap" },
    { apiVersion: "v1", kind: "Service" },
    { apiVersion: "v1", kind: "Pod" },
    { apiVersion: "apps/v1", kind: "Deployment" },
    { apiVersion: "apps/v1", kind: "ReplicaSet" },
    { apiVersion: "batch/v1", kind: "Job" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
    { apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultConnection" },
    { apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultAuth" },
    { apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultStaticSecret" },
    { apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultDynamicSecret" },
    { apiVersion: "stackgres.io/v1", kind: "SGCluster" },
    { apiVersion: "stackgres.io/v1", kind: "SGScript" },
    { apiVersion: "stackgres.io/v1", kind: "SGInstanceProfile" },
    { apiVersion: "stackgres.io/v1", kind: "SGPostgresConfig" },
    { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
] as const;

/** The operators a platform team installs on plain Kubernetes (no OLM, no OpenShift API). */
const OPERATOR_CRD_FAMILIES = ["StackGres", "Vault Secrets Operator", "Secrets Store CSI driver"];

/** The CRD directories of the pinned operator versions (components/versions.ts), as the platform team installs them. */
export function pinnedCrdDirs(): string[] {
    return pinnedCrdFamilies()
        .filter((f) => OPERATOR_CRD_FAMILIES.includes(f.family))
        .map((f) => join(SHARED_DIR, "crds", f.dir));
}

/** Installs the pinned CRDs (server-side apply, then Established) and waits until each kind can be listed. */
export async function installPinnedCrds(kube: Kube): Promise<string[]> {
    const names: string[] = [];
    for (const dir of pinnedCrdDirs()) {
        names.push(...(await kube.installCrds(dir, { timeoutMs: 60_000 })));
    }
    // Established is not yet served: a list can still answer 429 "storage is (re)initializing".
    for (const name of names) {
        const crd = (await kube.get<KubeObject & { spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] } }>({
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            name,
        }))!;
        for (const v of crd.spec.versions.filter((x) => x.served)) {
            await waitUntil(async () => (await kube.request("GET", `/apis/${crd.spec.group}/${v.name}/${crd.spec.names.plural}`, { query: { limit: 1 } })).status === 200, {
                timeoutMs: 60_000,
                what: `${name} ${v.name} served`,
            });
        }
    }
    return names;
}

/** One application of the stack. */
export interface KubeHalfApp {
    name: string;
    namespace: string;
    serviceAccount: string;
    databaseRole: string;
    delivery: "sync" | "direct";
}

export interface KubeHalfNames {
    /** Namespace of StackGres (and of the CRD gates). */
    databaseNamespace: string;
    clusterName: string;
    apps: KubeHalfApp[];
}

/**
 * Names for a stack with `count` applications. Everything carries `id`; names differ on purpose
 * (application ≠ ServiceAccount ≠ database role ≠ namespace), `perNamespace` applications per namespace.
 */
export function kubeHalfNames(id: string, count: number, perNamespace = 10): KubeHalfNames {
    const apps: KubeHalfApp[] = [];
    for (let i = 0; i < count; i++) {
        apps.push({
            name: `app${i}-${id}`,
            namespace: `kh-apps${Math.floor(i / perNamespace)}-${id}`,
            serviceAccount: `runner${i}`,
            databaseRole: `role${i}_${id}`,
            delivery: i % 2 === 0 ? "sync" : "direct",
        });
    }
    return { databaseNamespace: `kh-db-${id}`, clusterName: `orders-${id}`, apps };
}

/** The stack's Pulumi config. */
export function kubeHalfConfig(id: string, names: KubeHalfNames, vaultAddress: string, adminPassword: string): ConfigMap {
    return {
        "vaultkit:platform": { value: "kubernetes" },
        "vaultkit:vault": { value: JSON.stringify({ mode: "existing", address: vaultAddress, configure: false }) },
        "vaultkit:operators": { value: JSON.stringify({ install: false }) },
        "vaultkit:databaseAdminPassword": { value: adminPassword, secret: true },
        "vaultkit:kubernetesAuth": { value: JSON.stringify({ mount: `k8s-${id}` }) },
        "vaultkit:database": {
            value: JSON.stringify({
                mode: "stackgres",
                namespace: names.databaseNamespace,
                clusterName: names.clusterName,
                volumeSize: "1Gi",
                kvMount: `kv-${id}`,
                adminSecretPath: `orders/${id}/admin`,
                adminAuthRole: `orders-admin-${id}`,
                databaseMount: `db-${id}`,
                syncedSecretName: `orders-${id}-superusers`,
                vaultAdminRole: `vault_admin_${id}`,
            }),
        },
        "vaultkit:applications": { value: JSON.stringify(names.apps) },
    };
}

/** A stack of the real program (workDir = the repository) on the sandbox's backend, talking to `kubeconfig`. */
export async function kubeHalfStack(sandbox: EngineSandbox, stackName: string, kubeconfig: string): Promise<Stack> {
    const pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });
    return LocalWorkspace.createOrSelectStack({ stackName, workDir: REPO_ROOT }, { envVars: { ...sandbox.env, KUBECONFIG: kubeconfig }, pulumiCommand });
}

/** Removes the stack and the Pulumi.<stack>.yaml the Automation API wrote next to Pulumi.yaml. */
export async function removeKubeHalfStack(stack: Stack | undefined, stackName: string): Promise<void> {
    try {
        if (stack) await stack.workspace.removeStack(stack.name, { force: true });
    } finally {
        rmSync(join(REPO_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
    }
}

/** Every object of the given kinds, by key (`Kind/namespace/name`). */
export async function snapshot(kube: Kube, kinds: readonly { apiVersion: string; kind: string }[] = KUBE_HALF_KINDS): Promise<Set<ObjectKey>> {
    const keys = new Set<ObjectKey>();
    for (const k of kinds) {
        for (const o of await kube.list(k.apiVersion, k.kind)) keys.add(objectKey(k.kind, o.metadata.namespace, o.metadata.name));
    }
    return keys;
}

/** Objects per kind, e.g. `{ Deployment: 2, ... }`, of the keys inside `namespaces` (plus cluster-scoped ones given). */
export function countByKind(keys: Iterable<ObjectKey>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of keys) {
        const kind = k.split("/")[0]!;
        out[kind] = (out[kind] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The pids of every process of one engine run (the pulumi CLI, its language host, the Node.js
 * program and the provider plugins): those whose environment names this sandbox's PULUMI_HOME.
 * Only processes this test started carry it.
 */
export function engineProcesses(sandbox: EngineSandbox): number[] {
    const marker = `PULUMI_HOME=${sandbox.env.PULUMI_HOME}`;
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker)) pids.push(Number(entry));
        } catch {
            // gone, or not ours to read
        }
    }
    return pids;
}

/** Objects the cluster makes for what the stack declares (pods, ReplicaSets, each namespace's default ServiceAccount and root CA). */
export function isDerived(key: ObjectKey): boolean {
    const [kind, , name] = key.split("/");
    return kind === "Pod" || kind === "ReplicaSet" || (kind === "ServiceAccount" && name === "default") || (kind === "ConfigMap" && name === "kube-root-ca.crt");
}

/** The Kubernetes objects a stack's state holds, by key. */
export function stateKeys(exported: { deployment: unknown }): Set<ObjectKey> {
    type Res = { type: string; custom?: boolean; outputs?: { kind?: string; metadata?: { name: string; namespace?: string } } };
    const keys = new Set<ObjectKey>();
    for (const r of (exported.deployment as { resources?: Res[] }).resources ?? []) {
        if (r.custom && r.type.startsWith("kubernetes:") && r.outputs?.metadata && r.outputs.kind) {
            keys.add(objectKey(r.outputs.kind, r.outputs.metadata.namespace, r.outputs.metadata.name));
        }
    }
    return keys;
}

/**
 * Compares the cluster with a stack's state: `lost` are objects the state has and the cluster does not,
 * `extra` objects the cluster gained since `before` that the state does not know (duplicates, orphans).
 */
export async function convergence(kube: Kube, exported: { deployment: unknown }, before: Set<ObjectKey>): Promise<{ lost: string[]; extra: string[]; state: Set<ObjectKey> }> {
    const state = stateKeys(exported);
    const now = await snapshot(kube);
    return {
        lost: [...state].filter((k) => !now.has(k)).sort(),
        extra: [...now].filter((k) => !before.has(k) && !state.has(k) && !isDerived(k)).sort(),
        state,
    };
}
