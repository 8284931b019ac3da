/**
 * Real-server tier: Vault's Kubernetes auth method with exactly the roles the project declares
 * (kubernetesAuthRoleInputs, fed the way stacks/vault.ts and ApplicationDatabaseAccess feed it),
 * against a fake Kubernetes API that answers TokenReviews (support/fakeKubernetes.ts), with the
 * policies from components/vault/policies.ts over a real KV v2 secret and a real database
 * secrets engine on PostgreSQL. Every login and every read goes over Vault's HTTP API.
 *
 * Vault here runs outside a pod, so the auth config adds what a pod gives it for free: the
 * reviewer JWT (Vault's own service account token, which the Helm chart binds to
 * `system:auth-delegator`) and `disable_local_ca_jwt=true` (there is no
 * /var/run/secrets/kubernetes.io/serviceaccount/ to read; without it every login fails reading ca.crt).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubernetesAuthRoleInputs, type KubernetesAuthRoleSpec } from "../../components/vault/kubernetesAuthRole";
import { kvReadPolicyRules, renderPolicyHcl, staticCredsReadPolicyRules } from "../../components/vault/policies";
import { stackGresCredentialData } from "../../components/vault/postgresAdminCredentials";
import { adminRoleBinding, parseStackConfig, type StackConfig } from "../../stacks/config";
import { provisionDatabaseEngine, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { integrationEnv, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { decodeJwtClaims, FakeKubernetes, type ServiceAccountRef } from "./support/fakeKubernetes";
import { connect, connectSuperuser, type PgClient } from "./support/pg";
import { VaultApi, type VaultResult } from "./support/vaultApi";

const env = integrationEnv();

/** Mounts of this file only, so it never collides with the other integration files. */
const AUTH_MOUNT = "kubernetes-it";
const KV_MOUNT = "kv-k8s-it";
const DB_MOUNT = "database-k8s-it";

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

const DB: DatabaseEngineSpec = {
    mount: DB_MOUNT,
    connection: DB_CFG.connectionName,
    adminRole: DB_CFG.vaultAdminRole,
    adminPassword: randomPassword(),
    staticRoles: Object.fromEntries(CONFIG.applications.map((a) => [a.name, a.databaseRole])),
};

const POLICIES: Record<string, string> = {
    [DB_CFG.adminPolicyName]: renderPolicyHcl(kvReadPolicyRules(KV_MOUNT, DB_CFG.adminSecretPath)),
    ...Object.fromEntries(CONFIG.applications.map((a) => [`${a.name}-database-creds`, renderPolicyHcl(staticCredsReadPolicyRules(DB_MOUNT, a.name))])),
};

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
    adminDefault: { namespace: "rhbk", name: "default" },
    patroni: { namespace: "rhbk", name: "keycloak-postgresql-patroni" },
    app: { namespace: "rhbk", name: "app" },
    reports: { namespace: "reports", name: "reports" },
    vault: { namespace: "vault", name: "vault" },
} satisfies Record<string, ServiceAccountRef>;

describe.skipIf(!env)(env ? "vault kubernetes auth with the project's roles (fake TokenReview API)" : `vault kubernetes auth — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let anon: VaultApi;
    let su: PgClient | undefined;
    let k8s: FakeKubernetes | undefined;
    let reviewerJwt: string;
    const issuedVaultTokens: string[] = [];
    let checks = 0;

    /** `expect`, counted: the file reports how many checks it made. */
    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    async function disableAuth(path: string): Promise<void> {
        const auths = await root.must("read", "sys/auth");
        if (`${path}/` in (auths?.data ?? auths)) {
            await root.must("delete", `sys/auth/${path}`);
        }
    }

    async function deletePolicies(): Promise<void> {
        for (const name of Object.keys(POLICIES)) {
            await root.must("delete", `sys/policies/acl/${name}`);
        }
    }

    async function cleanup(): Promise<void> {
        const problems: unknown[] = [];
        const step = async (f: () => Promise<unknown>) => {
            try {
                await f();
            } catch (err) {
                problems.push(err);
            }
        };
        await step(() => disableAuth(AUTH_MOUNT));
        await step(() => root.unmount(KV_MOUNT));
        await step(() => deletePolicies());
        await step(() => teardownDatabaseEngine(root, su, DB));
        if (problems.length > 0) {
            throw new AggregateError(problems, "kubernetes auth cleanup failed");
        }
    }

    function login(role: string, jwt: string): Promise<VaultResult> {
        return anon.write(`auth/${AUTH_MOUNT}/login`, { role, jwt });
    }

    /** Logs in (must succeed) and returns the client token as a VaultApi plus the `auth` block. */
    async function loginOk(role: string, jwt: string): Promise<{ api: VaultApi; auth: any }> {
        const r = await login(role, jwt);
        check(r.status, `login to ${role}: ${r.errors.join("; ")}`).toBe(200);
        const auth = r.body.auth;
        issuedVaultTokens.push(auth.client_token);
        return { api: root.withToken(auth.client_token), auth };
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        anon = new VaultApi(e.vaultAddr, "");
        su = await connectSuperuser(e);
        await cleanup(); // a crashed earlier run may have left any of it

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

        await root.mountFresh(KV_MOUNT, "kv", { version: "2" });
        await root.must("write", `${KV_MOUNT}/data/${DB_CFG.adminSecretPath}`, {
            data: stackGresCredentialData({ superuser: randomPassword(), replication: randomPassword(), authenticator: randomPassword(), restapi: randomPassword() }),
        });
        await provisionDatabaseEngine(root, su, e, DB);
        for (const [name, hcl] of Object.entries(POLICIES)) {
            await root.policyWrite(name, hcl);
        }
        for (const spec of ROLES) {
            const inputs = kubernetesAuthRoleInputs(spec);
            await root.must("write", `auth/${AUTH_MOUNT}/role/${inputs.roleName}`, roleApiBody(inputs));
        }
    });

    afterAll(async () => {
        console.log(`[integration] kubernetes auth: ${checks} checks`);
        try {
            if (root) {
                for (const t of issuedVaultTokens) await root.tokenRevoke(t);
                await cleanup();
            }
        } finally {
            await k8s?.close();
            await su?.end();
        }
    });

    it("the roles read back exactly as kubernetesAuthRoleInputs declared them", async () => {
        check(ROLES.map((r) => r.name)).toEqual(["keycloak-postgresql-admin", "app", "reports"]);
        for (const spec of ROLES) {
            const inputs = kubernetesAuthRoleInputs(spec);
            const role = (await root.must("read", `auth/${AUTH_MOUNT}/role/${spec.name}`)).data;
            check(role.bound_service_account_names, spec.name).toEqual(inputs.boundServiceAccountNames);
            check(role.bound_service_account_namespaces, spec.name).toEqual(inputs.boundServiceAccountNamespaces);
            check(role.token_policies, spec.name).toEqual(inputs.tokenPolicies);
            check(role.audience, spec.name).toBe(AUDIENCE);
            check(role.token_ttl, spec.name).toBe(inputs.tokenTtl);
            check(JSON.stringify([role.bound_service_account_names, role.bound_service_account_namespaces]), spec.name).not.toContain("*");
        }
        // The seed's values, through the project's defaults.
        check(ADMIN_ROLE).toEqual({
            name: "keycloak-postgresql-admin",
            // Only the service account this stack creates for the admin sync; the seed's `default` and patroni are gone.
            serviceAccountNames: ["keycloak-postgresql-vault-sync"],
            namespaces: ["rhbk"],
            policies: ["keycloak-postgresql-policy"],
            audience: "https://kubernetes.default.svc",
            tokenTtlSeconds: 86400,
        });
        const cfg = (await root.must("read", `auth/${AUTH_MOUNT}/config`)).data;
        check(cfg.kubernetes_host).toBe(k8s!.url);
        check(cfg.token_reviewer_jwt_set).toBe(true);
        check(JSON.stringify(cfg)).not.toContain(reviewerJwt);
    });

    it("each service account logs in to its own role and gets exactly its policies and TTL", async () => {
        const cases: [KubernetesAuthRoleSpec, ServiceAccountRef][] = [
            [ADMIN_ROLE, SA.adminSync],
            [APP_ROLES[0]!, SA.app],
            [APP_ROLES[1]!, SA.reports],
        ];
        for (const [spec, sa] of cases) {
            const jwt = k8s!.issue(sa);
            const reviewsBefore = k8s!.reviews.length;
            const { api, auth } = await loginOk(spec.name, jwt);
            const who = `${spec.name} as ${sa.namespace}/${sa.name}`;

            check([...auth.token_policies].sort(), who).toEqual([...spec.policies, "default"].sort());
            check(auth.identity_policies ?? [], who).toEqual([]);
            check(auth.lease_duration, who).toBe(spec.tokenTtlSeconds);
            check(auth.metadata, who).toEqual({
                role: spec.name,
                service_account_name: sa.name,
                service_account_namespace: sa.namespace,
                service_account_uid: k8s!.uidOf(sa),
                service_account_secret_name: "",
            });
            const self = (await api.must("read", "auth/token/lookup-self")).data;
            check([...self.policies].sort(), who).toEqual([...spec.policies, "default"].sort());
            check(self.creation_ttl, who).toBe(spec.tokenTtlSeconds);
            check(self.path, who).toBe(`auth/${AUTH_MOUNT}/login`);

            // What Vault asked the API: this token, the role's audience, with its reviewer JWT.
            const reviews = k8s!.reviews.slice(reviewsBefore);
            check(reviews.length, who).toBe(1);
            check(reviews[0]!.authorization, who).toBe(`Bearer ${reviewerJwt}`);
            check(reviews[0]!.request.spec, who).toEqual({ token: jwt, audiences: [spec.audience] });
            check(reviews[0]!.response.status.authenticated, who).toBe(true);
        }
        check(k8s!.otherRequests).toEqual([]);
    });

    it("each application reads its own credentials, which work on PostgreSQL, and never another's", async () => {
        const apps = CONFIG.applications;
        const logins: Record<string, VaultApi> = {};
        for (const a of apps) {
            logins[a.name] = (await loginOk(a.name, k8s!.issue({ namespace: a.namespace, name: a.serviceAccount }))).api;
        }
        for (const a of apps) {
            const r = await logins[a.name]!.read(`${DB_MOUNT}/static-creds/${a.name}`);
            check(r.status, `${a.name} reads its creds: ${r.errors.join("; ")}`).toBe(200);
            check(r.body.data.username).toBe(a.databaseRole);
            const pg = await connect(e.pg, r.body.data.username, r.body.data.password);
            try {
                const who = await pg.query("select current_user as who");
                check(who.rows).toEqual([{ who: a.databaseRole }]);
            } finally {
                await pg.end();
            }
            for (const other of apps.filter((o) => o.name !== a.name)) {
                const path = `${DB_MOUNT}/static-creds/${other.name}`;
                check((await root.read(path)).status, `root can read ${path}`).toBe(200); // so the 403 below is the policy
                check((await logins[a.name]!.read(path)).status, `${a.name} reads ${other.name}'s creds`).toBe(403);
            }
            // Nor the admin secret, nor the engine's configuration, nor a rotation.
            check((await logins[a.name]!.read(`${KV_MOUNT}/data/${DB_CFG.adminSecretPath}`)).status).toBe(403);
            check((await logins[a.name]!.read(`${DB_MOUNT}/config/${DB.connection}`)).status).toBe(403);
            check((await logins[a.name]!.write(`${DB_MOUNT}/rotate-role/${a.name}`, {})).status).toBe(403);
        }
    });

    it("admin role: the admin sync's service account reads the KV admin secret, and no static credentials", async () => {
        const expected = (await root.must("read", `${KV_MOUNT}/data/${DB_CFG.adminSecretPath}`)).data.data;
        for (const sa of [SA.adminSync]) {
            const { api } = await loginOk(ADMIN_ROLE.name, k8s!.issue(sa));
            const r = await api.read(`${KV_MOUNT}/data/${DB_CFG.adminSecretPath}`);
            check(r.status, `${sa.name} reads the admin secret`).toBe(200);
            check(r.body.data.data).toEqual(expected);
            check(Object.keys(r.body.data.data).length).toBe(7);
            for (const a of CONFIG.applications) {
                check((await api.read(`${DB_MOUNT}/static-creds/${a.name}`)).status, `${sa.name} reads ${a.name}'s creds`).toBe(403);
            }
            check((await api.read(`${KV_MOUNT}/metadata/${DB_CFG.adminSecretPath}`)).status).toBe(403);
        }
    });

    it("refuses the wrong namespace, an unknown service account, the wrong audience, another role, and tokens the API rejects", async () => {
        const app = APP_ROLES[0]!;
        // Control: the same role with a proper token logs in, so every refusal below is specific.
        await loginOk(app.name, k8s!.issue(SA.app));

        /** A refused login: 403 with `reason`, and whether Vault asked the API about the token at all. */
        const refused = async (what: string, role: string, jwt: string, reason: RegExp, reviewed: boolean) => {
            const r = await login(role, jwt);
            check(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(403);
            check(r.body?.auth ?? null, what).toBeNull();
            check(r.errors.join("; "), what).toMatch(reason);
            check(k8s!.reviewsOf(jwt).length > 0, `${what}: reviewed by the API`).toBe(reviewed);
            return r;
        };

        // Decided from the JWT's claims, before any TokenReview.
        await refused("SA app in namespace reports", app.name, k8s!.issue({ namespace: "reports", name: "app" }), /namespace not authorized/, false);
        await refused("unknown SA in rhbk", app.name, k8s!.issue({ namespace: "rhbk", name: "intruder" }), /service account name not authorized/, false);
        await refused("unknown SA on the admin role", ADMIN_ROLE.name, k8s!.issue({ namespace: "rhbk", name: "intruder" }), /service account name not authorized/, false);
        // The seed bound these two; any pod in rhbk without a service account of its own ran as `default`.
        await refused("rhbk's default SA on the admin role", ADMIN_ROLE.name, k8s!.issue(SA.adminDefault), /service account name not authorized/, false);
        await refused("the patroni SA on the admin role", ADMIN_ROLE.name, k8s!.issue(SA.patroni), /service account name not authorized/, false);
        await refused("wrong audience", app.name, k8s!.issue(SA.app, { audiences: ["vault"] }), /audience/, false);
        await refused("app's token on reports' role", "reports", k8s!.issue(SA.app), /namespace not authorized|service account name not authorized/, false);
        await refused("reports' token on app's role", app.name, k8s!.issue(SA.reports), /namespace not authorized|service account name not authorized/, false);
        await refused("app's token on the admin role", ADMIN_ROLE.name, k8s!.issue(SA.app), /service account name not authorized/, false);

        // Claims Vault accepts, but the API does not: the review decides.
        const forged = k8s!.forge(SA.app);
        check(decodeJwtClaims(forged).sub).toBe("system:serviceaccount:rhbk:app");
        await refused("forged token", app.name, forged, /permission denied/, true);
        check(k8s!.reviewsOf(forged)[0]!.response.status.authenticated).toBe(false);

        const revoked = k8s!.issue(SA.app);
        k8s!.revoke(revoked);
        await refused("revoked token", app.name, revoked, /permission denied/, true);
        check(k8s!.reviewsOf(revoked)[0]!.response.status.authenticated).toBe(false);

        // A real token of `reports` whose claims say rhbk/app: the API names `reports`, Vault refuses.
        const lying = k8s!.issue(SA.reports, { claimsAs: SA.app });
        check(decodeJwtClaims(lying)["kubernetes.io"].serviceaccount.name).toBe("app");
        await refused("claims that differ from the review", app.name, lying, /permission denied/, true);
        check(k8s!.reviewsOf(lying)[0]!.response.status.user.username).toBe("system:serviceaccount:reports:reports");

        // Not a JWT, and no role at all.
        check((await login(app.name, "not-a-jwt")).status).toBeGreaterThanOrEqual(400);
        check((await login("no-such-role", k8s!.issue(SA.app))).status).toBe(400);
    });

    it("refuses every login when the API does not let Vault's reviewer create TokenReviews", async () => {
        // A reviewer JWT without the system:auth-delegator binding: the API answers 403 and Vault must
        // fail closed, even for a token that is otherwise perfect.
        const unprivileged = k8s!.issue({ namespace: "vault", name: "no-delegator" });
        await root.must("write", `auth/${AUTH_MOUNT}/config`, { kubernetes_host: k8s!.url, disable_local_ca_jwt: true, token_reviewer_jwt: unprivileged });
        try {
            const jwt = k8s!.issue(SA.app);
            const r = await login(APP_ROLES[0]!.name, jwt);
            check(r.status).toBe(403);
            check(k8s!.reviewsOf(jwt).map((x) => x.status)).toEqual([403]);
        } finally {
            await root.must("write", `auth/${AUTH_MOUNT}/config`, { kubernetes_host: k8s!.url, disable_local_ca_jwt: true, token_reviewer_jwt: reviewerJwt });
        }
        await loginOk(APP_ROLES[0]!.name, k8s!.issue(SA.app));
    });
});
