/**
 * Vault's Kubernetes auth against a fake Kubernetes API that answers TokenReviews
 * (support/fakeKubernetes.ts), with exactly the roles the project declares (kubernetesAuthRoleInputs,
 * fed the way stacks/vault.ts and ApplicationDatabaseAccess feed it).
 *
 * The evidence for isolation is the kube tier's test/kube/vault-kubernetes-auth.test.ts: real
 * ServiceAccount tokens from a real kube-apiserver, the stack's own Vault half, every application
 * against every role, wrong namespace, wrong audience, deleted Pod and ServiceAccount, expired and
 * forged tokens, a reviewer without system:auth-delegator. What stays here is what a real server
 * cannot show:
 *
 * - the review Vault sends: one TokenReview per login, the reviewer's JWT as bearer, the presented
 *   token and the role's audience, and no other API call (a real server keeps no record of requests);
 * - a token whose JWT claims name another ServiceAccount than the review does: Vault must believe the
 *   review. A real server only signs consistent claims, so it cannot produce this token.
 *
 * Vault here runs outside a pod, so the auth config adds the reviewer JWT and
 * `disable_local_ca_jwt=true` (there is no /var/run/secrets/kubernetes.io/serviceaccount/ to read).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubernetesAuthRoleInputs, type KubernetesAuthRoleSpec } from "../../components/vault/kubernetesAuthRole";
import { adminRoleBinding, parseStackConfig, type StackConfig } from "../../stacks/config";
import { integrationEnv, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { decodeJwtClaims, FakeKubernetes, type ServiceAccountRef } from "./support/fakeKubernetes";
import { VaultApi, type VaultResult } from "./support/vaultApi";

const env = integrationEnv();

/** This file's auth mount, so it never collides with the other integration files. */
const AUTH_MOUNT = "kubernetes-it";

/**
 * The seed's stack (rhbk, the admin role, default audience and TTLs) plus a second application in
 * its own namespace. Everything below is read from the parsed config, not typed again.
 */
const CONFIG: StackConfig = parseStackConfig("kubernetes-it", {
    platform: "openshift",
    vault: { address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" },
    database: { vaultAdminRole: "vk_k8s_vault_admin" },
    applications: [
        { name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "vk_k8s_app" },
        { name: "reports", namespace: "reports", serviceAccount: "reports", databaseRole: "vk_k8s_reports" },
    ],
});
const DB_CFG = CONFIG.database;
const AUDIENCE = CONFIG.kubernetesAuth.audience;

/** The admin role exactly as stacks/vault.ts builds it. */
const ADMIN_ROLE: KubernetesAuthRoleSpec = {
    name: DB_CFG.adminAuthRole,
    serviceAccountNames: adminRoleBinding(CONFIG).serviceAccounts,
    namespaces: adminRoleBinding(CONFIG).namespaces,
    policies: [DB_CFG.adminPolicyName],
    audience: AUDIENCE,
    tokenTtlSeconds: DB_CFG.adminTokenTtl,
};

/** Each application's role exactly as ApplicationDatabaseAccess builds it (auth role = static role = app name). */
const APP_ROLES: KubernetesAuthRoleSpec[] = CONFIG.applications.map((a) => ({
    name: a.name,
    serviceAccountNames: [a.serviceAccount],
    namespaces: [a.namespace],
    policies: [`${a.name}-database-creds`],
    audience: AUDIENCE,
    tokenTtlSeconds: a.tokenTtl,
}));
const ROLES = [ADMIN_ROLE, ...APP_ROLES];

/** kubernetesAuthRoleInputs' output (the @pulumi/vault AuthBackendRole args) as the HTTP API body. */
function roleApiBody(inputs: ReturnType<typeof kubernetesAuthRoleInputs>): Record<string, unknown> {
    return {
        bound_service_account_names: inputs.boundServiceAccountNames,
        bound_service_account_namespaces: inputs.boundServiceAccountNamespaces,
        token_policies: inputs.tokenPolicies,
        ...(inputs.audience !== undefined ? { audience: inputs.audience } : {}),
        token_ttl: inputs.tokenTtl,
    };
}

const SA = {
    adminSync: { namespace: "rhbk", name: "keycloak-postgresql-vault-sync" },
    app: { namespace: "rhbk", name: "app" },
    reports: { namespace: "reports", name: "reports" },
    vault: { namespace: "vault", name: "vault" },
} satisfies Record<string, ServiceAccountRef>;

describe.skipIf(!env)(env ? "vault kubernetes auth: what a real API server cannot show (fake TokenReview API)" : `vault kubernetes auth — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let anon: VaultApi;
    let k8s: FakeKubernetes | undefined;
    let reviewerJwt: string;
    const issuedVaultTokens: string[] = [];

    async function disableAuth(path: string): Promise<void> {
        const auths = await root.must("read", "sys/auth");
        if (`${path}/` in (auths?.data ?? auths)) {
            await root.must("delete", `sys/auth/${path}`);
        }
    }

    function login(role: string, jwt: string): Promise<VaultResult> {
        return anon.write(`auth/${AUTH_MOUNT}/login`, { role, jwt });
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        anon = new VaultApi(e.vaultAddr, "");
        await disableAuth(AUTH_MOUNT); // a crashed earlier run may have left it

        k8s = await FakeKubernetes.start();
        // Vault's own pod service account token, bound to system:auth-delegator by the chart.
        reviewerJwt = k8s.issue(SA.vault);
        k8s.allowTokenReviews(reviewerJwt);

        await root.must("write", `sys/auth/${AUTH_MOUNT}`, { type: "kubernetes" });
        await root.must("write", `auth/${AUTH_MOUNT}/config`, {
            kubernetes_host: k8s.url,
            disable_local_ca_jwt: true,
            token_reviewer_jwt: reviewerJwt,
        });
        for (const spec of ROLES) {
            const inputs = kubernetesAuthRoleInputs(spec);
            await root.must("write", `auth/${AUTH_MOUNT}/role/${inputs.roleName}`, roleApiBody(inputs));
        }
    });

    afterAll(async () => {
        try {
            if (root) {
                for (const t of issuedVaultTokens) await root.tokenRevoke(t);
                await disableAuth(AUTH_MOUNT);
            }
        } finally {
            await k8s?.close();
        }
    });

    it("asks the API once per login: the reviewer's JWT as bearer, the presented token and the role's audience, nothing else", async () => {
        const cases: [KubernetesAuthRoleSpec, ServiceAccountRef][] = [
            [ADMIN_ROLE, SA.adminSync],
            [APP_ROLES[0]!, SA.app],
            [APP_ROLES[1]!, SA.reports],
        ];
        for (const [spec, sa] of cases) {
            const jwt = k8s!.issue(sa);
            const reviewsBefore = k8s!.reviews.length;
            const r = await login(spec.name, jwt);
            const who = `${spec.name} as ${sa.namespace}/${sa.name}`;
            expect(r.status, `${who}: ${r.errors.join("; ")}`).toBe(200);
            issuedVaultTokens.push(r.body.auth.client_token);

            const reviews = k8s!.reviews.slice(reviewsBefore);
            expect(reviews.length, who).toBe(1);
            expect(reviews[0]!.authorization, who).toBe(`Bearer ${reviewerJwt}`);
            expect(reviews[0]!.request.spec, who).toEqual({ token: jwt, audiences: [spec.audience] });
            expect(reviews[0]!.response.status.authenticated, who).toBe(true);
        }
        expect(k8s!.otherRequests).toEqual([]);
    });

    it("believes the review, not the JWT's claims: a real token of one ServiceAccount whose claims name another is refused", async () => {
        const app = APP_ROLES[0]!;
        // Control: the same role with a consistent token logs in.
        const ok = await login(app.name, k8s!.issue(SA.app));
        expect(ok.status, ok.errors.join("; ")).toBe(200);
        issuedVaultTokens.push(ok.body.auth.client_token);

        const lying = k8s!.issue(SA.reports, { claimsAs: SA.app });
        expect(decodeJwtClaims(lying)["kubernetes.io"].serviceaccount.name).toBe("app");
        const r = await login(app.name, lying);
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.body?.auth ?? null).toBeNull();
        expect(r.errors.join("; ")).toMatch(/permission denied/);
        const reviews = k8s!.reviewsOf(lying);
        expect(reviews).toHaveLength(1);
        expect(reviews[0]!.response.status.user.username).toBe("system:serviceaccount:reports:reports");
    });
});
