/**
 * A whole stack of this project, for real, on the kube tier's servers: a stack config in "Vault and
 * PostgreSQL outside the cluster" mode (the one where Vault's Kubernetes auth is configured with the
 * API server's URL and CA and a token-reviewer JWT, README: kubernetesAuth.*), run by the program's
 * own `buildStack` under the recording mock engine, and then
 *
 * - every Kubernetes object it declares (namespaces, ServiceAccounts, Deployments) server-side applied
 *   to the real kube-apiserver; kube-controller-manager turns each Deployment into a Pod object (no
 *   kubelet runs it), so tokens can be bound to a Pod exactly as the kubelet binds a projected token;
 * - every Vault resource it declares written to the real Vault-API server (support/vaultResources.ts);
 * - the PostgreSQL roles created with the project's SQL, as an existing database's owner would.
 *
 * The token reviewer is what README tells an operator of an outside Vault to create: a ServiceAccount
 * bound to `system:auth-delegator`, with a long-lived token from a `kubernetes.io/service-account-token`
 * Secret.
 */
import { randomBytes } from "node:crypto";
import { capture, type Capture, type CapturedResource } from "../../../scripts/lib/engine";
import { buildStack } from "../../../stacks";
import { parseStackConfig, type StackConfig } from "../../../stacks/config";
import { adminRole, applyRoleSql, managedRoles, type DatabaseEngineSpec } from "../../integration/support/databaseEngine";
import { integrationEnv, randomPassword, type IntegrationEnv } from "../../integration/support/env";
import { connectSuperuser, dropRoles, type PgClient } from "../../integration/support/pg";
import { applyVaultResources, plainInputs, removeVaultResources, type AppliedVault } from "../../integration/support/vaultResources";
import { VaultApi } from "../../integration/support/vaultApi";
import { Kube, kubeEnv, waitUntil, type KubeEnv, type KubeObject } from "./kube";

/** One application of the fixture stack; every name differs from the others on purpose. */
export interface FixtureApplication {
    name: string;
    namespace: string;
    serviceAccount: string;
    databaseRole: string;
}

export interface KubeStackSpec {
    /** Stack name; also the prefix of the reviewer's namespace and ClusterRoleBinding. */
    stack: string;
    /** Where the admin credentials' ServiceAccounts (and the `direct` debug workload) live. */
    databaseNamespace: string;
    /** The PostgreSQL role Vault logs in as. */
    vaultAdminRole: string;
    applications: FixtureApplication[];
    /** Audience bound on every role and projected into every pod's token. */
    audience: string;
    /** Also declare the seed's `direct` debug Deployment (DirectVaultAccess reading the admin secret). */
    debugDirect?: boolean;
    /** `database.adminServiceAccounts`: who else the admin credentials role binds. */
    adminServiceAccounts?: string[];
}

/** The servers of the kube tier, or a skip reason (only outside scripts/test-kube.sh). */
export function kubeTierEnv(): { kube: KubeEnv; servers: IntegrationEnv } | undefined {
    const kube = kubeEnv();
    if (!kube) {
        return undefined;
    }
    const servers = integrationEnv();
    if (!servers) {
        throw new Error("kube tier: VAULTKIT_KUBE_SERVER is set but VAULT_ADDR/PGHOST are not; run scripts/test-kube.sh");
    }
    return { kube, servers };
}

/** The namespace, ServiceAccount and binding that let an outside Vault review tokens. */
export const REVIEWER_SERVICE_ACCOUNT = "vault-token-reviewer";

/** The raw stack config (what Pulumi.<stack>.yaml would hold) for the servers under test. */
export function fixtureRawConfig(spec: KubeStackSpec, env: { kube: KubeEnv; servers: IntegrationEnv }, secrets: { reviewerJwt: string; adminPassword: string }, id: string): Record<string, unknown> {
    return {
        platform: "kubernetes",
        vault: { mode: "existing", address: env.servers.vaultAddr },
        vaultToken: env.servers.vaultToken,
        kubernetesTokenReviewerJwt: secrets.reviewerJwt,
        kubernetesAuth: { mount: `k8s-${id}`, kubernetesHost: env.kube.server, kubernetesCaCert: env.kube.ca, audience: spec.audience },
        databaseAdminPassword: secrets.adminPassword,
        database: {
            mode: "existing",
            namespace: spec.databaseNamespace,
            host: env.servers.pg.host,
            port: env.servers.pg.port,
            database: env.servers.pg.database,
            kvMount: `kv-${id}`,
            databaseMount: `db-${id}`,
            connectionName: `pg-${id}`,
            adminPolicyName: `${spec.stack}-admin-${id}`,
            vaultAdminRole: spec.vaultAdminRole,
            ...(spec.adminServiceAccounts ? { adminServiceAccounts: spec.adminServiceAccounts } : {}),
        },
        applications: spec.applications.map((a) => ({ ...a, delivery: "direct" })),
        ...(spec.debugDirect ? { debugWorkloads: { direct: true } } : {}),
    };
}

/** A Deployment's pod template as the program declared it. */
export interface PodTemplate {
    metadata: { labels: Record<string, string> };
    spec: {
        serviceAccountName: string;
        containers: { name: string; command: string[]; env?: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string }[]; readinessProbe?: { exec: { command: string[] } } }[];
        volumes: { name: string; emptyDir?: unknown; projected?: { sources: { serviceAccountToken?: { audience: string; expirationSeconds: number; path: string } }[] } }[];
    };
}

/** A Pod object of the real API server. */
export interface Pod extends KubeObject {
    spec: PodTemplate["spec"];
}

export class KubeStack {
    /** Vault as root; `anon` for logins. */
    readonly vault: VaultApi;
    readonly anon: VaultApi;
    /** Everything the stack's Vault half created (removed by teardown). */
    readonly applied: AppliedVault = { mounts: [], auths: [], policies: [] };
    config!: StackConfig;
    capture!: Capture;
    /** The Kubernetes objects the program declared, as plain objects, in apply order. */
    objects: KubeObject[] = [];
    reviewerToken!: string;
    private su?: PgClient;
    private readonly createdNamespaces = new Set<string>();
    private readonly createdCluster: KubeObject[] = [];

    private constructor(
        readonly spec: KubeStackSpec,
        readonly env: { kube: KubeEnv; servers: IntegrationEnv },
        readonly kube: Kube,
        /** Random suffix of this run's Vault mounts. */
        readonly id: string,
        readonly adminPassword: string,
    ) {
        this.vault = new VaultApi(env.servers.vaultAddr, env.servers.vaultToken);
        this.anon = new VaultApi(env.servers.vaultAddr, "");
    }

    /** Builds and deploys the stack; on failure removes what it created and rethrows. */
    static async deploy(spec: KubeStackSpec, env: { kube: KubeEnv; servers: IntegrationEnv }): Promise<KubeStack> {
        const s = new KubeStack(spec, env, new Kube(env.kube), randomBytes(3).toString("hex"), randomPassword());
        try {
            await s.up();
        } catch (err) {
            await s.teardown().catch((e) => console.error(`[kube] teardown after a failed deploy: ${e}`));
            throw err;
        }
        return s;
    }

    get pgSpec(): DatabaseEngineSpec {
        return { config: this.config, adminPassword: this.adminPassword };
    }

    private async up(): Promise<void> {
        // The reviewer first: its token is part of the stack's config.
        const ns = `${this.spec.stack}-vault`;
        await this.applyObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        await this.applyObject({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: REVIEWER_SERVICE_ACCOUNT, namespace: ns } });
        await this.applyObject({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: `${this.spec.stack}-${REVIEWER_SERVICE_ACCOUNT}` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
            subjects: [{ kind: "ServiceAccount", name: REVIEWER_SERVICE_ACCOUNT, namespace: ns }],
        });
        // Long-lived, as an outside Vault needs it: a token Secret that kube-controller-manager fills
        // (a TokenRequest token would stop every login when it expires).
        await this.applyObject({
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/service-account-token",
            metadata: { name: REVIEWER_SERVICE_ACCOUNT, namespace: ns, annotations: { "kubernetes.io/service-account.name": REVIEWER_SERVICE_ACCOUNT } },
        });
        const filled = await waitUntil(
            async () => (await this.kube.get<KubeObject & { data?: { token?: string } }>({ apiVersion: "v1", kind: "Secret", namespace: ns, name: REVIEWER_SERVICE_ACCOUNT }))?.data?.token,
            { what: "kube-controller-manager to fill the reviewer's token Secret" },
        );
        this.reviewerToken = Buffer.from(filled, "base64").toString("utf8");

        this.config = parseStackConfig(this.spec.stack, fixtureRawConfig(this.spec, this.env, { reviewerJwt: this.reviewerToken, adminPassword: this.adminPassword }, this.id));
        this.capture = await capture({ project: "vaultkit", stack: this.spec.stack, program: () => buildStack(this.config) });

        // Kubernetes: what the program declares, namespaces first.
        const rank = (o: KubeObject) => (o.kind === "Namespace" ? 0 : o.kind === "ServiceAccount" ? 1 : 2);
        this.objects = this.capture.resources
            .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm"))
            .map((r) => plainInputs(r) as unknown as KubeObject)
            .sort((a, b) => rank(a) - rank(b));
        for (const o of this.objects) {
            await this.applyObject(o);
        }

        // PostgreSQL: the roles an existing database's owner creates with the project's SQL.
        this.su = await connectSuperuser(this.env.servers);
        await dropRoles(this.su, [...managedRoles(this.pgSpec), adminRole(this.pgSpec)]);
        await applyRoleSql(this.su, this.pgSpec);

        // Vault: the stack's Vault half.
        await applyVaultResources(this.vault, this.capture, this.applied);
    }

    /** Server-side applies `o`; namespaces and cluster-scoped objects are deleted by {@link teardown}. */
    async applyObject(o: KubeObject): Promise<void> {
        await this.kube.apply(o);
        if (o.kind === "Namespace") {
            this.createdNamespaces.add(o.metadata.name);
        } else if (!o.metadata.namespace) {
            this.createdCluster.push(o);
        }
    }

    /** The captured resource of `type` whose plain inputs satisfy `match` (exactly one). */
    resource(type: string, match: (inputs: Record<string, any>) => boolean = () => true): CapturedResource {
        const found = this.capture.resources.filter((r) => r.type === type && match(plainInputs(r)));
        if (found.length !== 1) {
            throw new Error(`expected one ${type} matching, found ${found.length}`);
        }
        return found[0]!;
    }

    /** The declared Deployment `name`. */
    deployment(name: string): KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate } } {
        const d = this.objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
        if (!d) {
            throw new Error(`the stack declares no Deployment ${name}; it declares ${this.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name).join(", ")}`);
        }
        return d as never;
    }

    /** The Pod kube-controller-manager created for Deployment `name` (waits for one that is not being deleted). */
    async podOf(name: string, notUid?: string): Promise<Pod> {
        const d = this.deployment(name);
        const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
        return waitUntil(
            async () => {
                const pods = await this.kube.list<Pod>("v1", "Pod", d.metadata.namespace, { labelSelector: selector });
                return pods.find((p) => !p.metadata.deletionTimestamp && p.metadata.uid !== notUid);
            },
            { what: `a Pod of Deployment ${d.metadata.namespace}/${name}`, timeoutMs: 60_000 },
        );
    }

    /**
     * What the kubelet writes into the pod's projected token volume: a TokenRequest for the pod's
     * ServiceAccount, bound to the Pod, with the volume's audience and lifetime.
     */
    async projectedToken(pod: Pod): Promise<string> {
        const source = pod.spec.volumes.flatMap((v) => v.projected?.sources ?? []).find((s) => s.serviceAccountToken)?.serviceAccountToken;
        if (!source) {
            throw new Error(`pod ${pod.metadata.name} has no projected service account token`);
        }
        const { token } = await this.kube.createToken(pod.metadata.namespace!, pod.spec.serviceAccountName, {
            audiences: [source.audience],
            expirationSeconds: source.expirationSeconds,
            boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid! },
        });
        return token;
    }

    /** The ServiceAccount's UID on the API server (what Vault reports as service_account_uid). */
    async serviceAccountUid(namespace: string, name: string): Promise<string> {
        const sa = await this.kube.get({ apiVersion: "v1", kind: "ServiceAccount", namespace, name });
        if (!sa?.metadata.uid) {
            throw new Error(`ServiceAccount ${namespace}/${name} does not exist`);
        }
        return sa.metadata.uid;
    }

    /** Removes the Vault half, the PostgreSQL roles and every Kubernetes object this stack created. */
    async teardown(): Promise<void> {
        const problems: unknown[] = [];
        const step = async (f: () => Promise<unknown>) => {
            try {
                await f();
            } catch (e) {
                problems.push(e);
            }
        };
        await step(() => removeVaultResources(this.vault, this.applied));
        if (this.su && this.config) {
            await step(() => dropRoles(this.su!, [...managedRoles(this.pgSpec), adminRole(this.pgSpec)]));
        }
        if (this.su) {
            await step(() => this.su!.end());
        }
        for (const o of this.createdCluster) {
            await step(() => this.kube.delete({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name }));
        }
        for (const name of this.createdNamespaces) {
            await step(() => this.kube.delete({ apiVersion: "v1", kind: "Namespace", name }));
        }
        this.kube.close();
        if (problems.length > 0) {
            throw new AggregateError(problems, `tearing down stack ${this.spec.stack} failed`);
        }
    }
}
