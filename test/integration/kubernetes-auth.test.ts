/**
 * Vault's Kubernetes auth against a fake Kubernetes API that answers TokenReviews
 * (support/fakeKubernetes.ts), with exactly the roles the project declares: the admin role from
 * stacks/vaultArgs.ts's adminAuthRoles, each application's from applicationAccessArgs ->
 * applicationAuthRoleSpec (what ApplicationDatabaseAccess uses), through kubernetesAuthRoleInputs, written
 * as the provider writes them (support/vaultResources.ts). Application, service account and namespace
 * names differ, so a role bound to the wrong one refuses its application's login.
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
 *   review. A real server only signs consistent claims, so it cannot produce this token;
 * - end to end on this tier's PostgreSQL: each application's ServiceAccount logs in with its role and
 *   reads exactly its own static credentials (the static roles, policies and auth roles all from the
 *   components' builders), so a policy or binding built from the wrong name fails a read or a login.
 *
 * Vault here runs outside a pod, so the auth config adds the reviewer JWT and
 * `disable_local_ca_jwt=true` (there is no /var/run/secrets/kubernetes.io/serviceaccount/ to read).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationAuthRoleSpec } from "../../components/vault/databaseSecretsData";
import { staticCredsPath, staticCredsPolicyName } from "../../components/vault/paths";
import { kubernetesAuthRoleInputs, type KubernetesAuthRoleSpec } from "../../components/vault/kubernetesAuthRole";
import { applicationPolicyHcl } from "../../components/vault/policies";
import { kubernetesAuthConfigInputs } from "../../components/vault/vaultKubernetesAuth";
import { parseStackConfig, type StackConfig } from "../../stacks/config";
import { adminAuthRoles, applicationAccessArgs } from "../../stacks/vaultArgs";
import { applicationAccess, engineMount, provisionDatabaseEngine, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { integrationEnv, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connectSuperuser, type PgClient } from "./support/pg";
import { decodeJwtClaims, FakeKubernetes, type ServiceAccountRef } from "./support/fakeKubernetes";
import { VaultApi, type VaultResult } from "./support/vaultApi";
import { authConfigWrite, authRoleWrite } from "./support/vaultResources";

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
    database: { vaultAdminRole: "vk_k8s_vault_admin", databaseMount: "database-k8s-it" },
    applications: [
        { name: "checkout", namespace: "shop", serviceAccount: "checkout-api", databaseRole: "vk_k8s_checkout" },
        { name: "reports", namespace: "analytics", serviceAccount: "report-runner", databaseRole: "vk_k8s_reports" },
    ],
});
const DB_CFG = CONFIG.database;

/** The admin role as stacks/vault.ts declares it (its policy is StackGresAdminCredentials', named from config). */
const ADMIN_ROLE: KubernetesAuthRoleSpec = adminAuthRoles(CONFIG, DB_CFG.adminPolicyName)[0]!;

/** Each application's role as ApplicationDatabaseAccess declares it, from the args stacks/vault.ts hands it. */
const APP_ROLES: KubernetesAuthRoleSpec[] = CONFIG.applications.map((a) =>
    applicationAuthRoleSpec(applicationAccessArgs(CONFIG, a, { databaseMount: DB_CFG.databaseMount, connectionName: DB_CFG.connectionName, authMount: AUTH_MOUNT })),
);
const ROLES = [ADMIN_ROLE, ...APP_ROLES];
/** The stack's database engine, static roles and policies, for the end-to-end read. */
const DB_SPEC: DatabaseEngineSpec = { config: CONFIG, adminPassword: randomPassword() };
const APP_POLICIES = CONFIG.applications.map((a) => staticCredsPolicyName(a.name));

/** Who logs in, typed from the fixture above (not from the config the roles are built from). */
const SA = {
    adminSync: { namespace: "rhbk", name: "keycloak-postgresql-vault-sync" },
    app: { namespace: "shop", name: "checkout-api" },
    reports: { namespace: "analytics", name: "report-runner" },
    vault: { namespace: "vault", name: "vault" },
} satisfies Record<string, ServiceAccountRef>;

describe.skipIf(!env)(env ? "vault kubernetes auth: what a real API server cannot show (fake TokenReview API)" : `vault kubernetes auth — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let anon: VaultApi;
    let k8s: FakeKubernetes | undefined;
    let reviewerJwt: string;
    let su: PgClient | undefined;
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
        // Vault outside a pod (the fake API is plain HTTP): the reviewer token, no local CA/JWT.
        const config = authConfigWrite({ ...kubernetesAuthConfigInputs({ kubernetesHost: k8s.url, tokenReviewerJwt: reviewerJwt }), backend: AUTH_MOUNT });
        await root.must("write", config.path, config.body);
        for (const spec of ROLES) {
            const w = authRoleWrite({ ...kubernetesAuthRoleInputs(spec), backend: AUTH_MOUNT });
            await root.must("write", w.path, w.body);
        }

        // The applications' static roles and policies, as ApplicationDatabaseAccess declares them.
        su = await connectSuperuser(e);
        await teardownDatabaseEngine(root, su, DB_SPEC);
        await provisionDatabaseEngine(root, su, e, DB_SPEC);
        for (const app of CONFIG.applications) {
            await root.policyWrite(staticCredsPolicyName(app.name), applicationPolicyHcl(applicationAccess(DB_SPEC, app)));
        }
    });

    afterAll(async () => {
        try {
            if (root) {
                for (const t of issuedVaultTokens) await root.tokenRevoke(t);
                await disableAuth(AUTH_MOUNT);
                for (const p of APP_POLICIES) await root.delete(`sys/policies/acl/${p}`);
                await teardownDatabaseEngine(root, su, DB_SPEC);
            }
        } finally {
            await su?.end();
            await k8s?.close();
        }
    });

    it("each application logs in with its own ServiceAccount token and reads exactly its own database credentials", async () => {
        const mount = engineMount(DB_SPEC);
        const [checkout, reports] = CONFIG.applications as [(typeof CONFIG.applications)[number], (typeof CONFIG.applications)[number]];
        for (const [app, sa, other] of [
            [checkout, SA.app, reports],
            [reports, SA.reports, checkout],
        ] as const) {
            const r = await login(app.name, k8s!.issue(sa));
            expect(r.status, `${app.name}: ${r.errors.join("; ")}`).toBe(200);
            issuedVaultTokens.push(r.body.auth.client_token);
            const token = root.withToken(r.body.auth.client_token);
            const own = await token.read(staticCredsPath(mount, app.name));
            expect(own.status, `${app.name} reads its credentials: ${own.errors.join("; ")}`).toBe(200);
            expect(own.body.data.username).toBe(app.databaseRole);
            const theirs = await token.read(staticCredsPath(mount, other.name));
            expect(theirs.status, `${app.name} reads ${other.name}'s credentials`).toBe(403);
        }
        // Another application's ServiceAccount cannot log in with this application's role.
        const wrong = await login(checkout.name, k8s!.issue(SA.reports));
        expect(wrong.status).toBe(403);
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
        expect(decodeJwtClaims(lying)["kubernetes.io"].serviceaccount.name).toBe(SA.app.name);
        const r = await login(app.name, lying);
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.body?.auth ?? null).toBeNull();
        expect(r.errors.join("; ")).toMatch(/permission denied/);
        const reviews = k8s!.reviewsOf(lying);
        expect(reviews).toHaveLength(1);
        expect(reviews[0]!.response.status.user.username).toBe(`system:serviceaccount:${SA.reports.namespace}:${SA.reports.name}`);
    });
});
