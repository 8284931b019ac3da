/**
 * Vault's Kubernetes auth with real ServiceAccount tokens: the main evidence that no application can
 * log in as another or read another's credentials.
 *
 * Real pieces: kube-apiserver + kube-controller-manager (issuing, binding and reviewing tokens), the
 * Vault-API server, PostgreSQL. The project's pieces: a stack config with three applications whose
 * names differ on purpose (application != database role != ServiceAccount != namespace, two of them
 * sharing a namespace), run through the program's own buildStack; its Kubernetes objects applied to
 * the API server and its Vault half (Kubernetes auth config with the API server's URL, CA and the
 * reviewer token of a ServiceAccount bound to system:auth-delegator; one role, policy and static role
 * per application; the admin role and secret) written to Vault (support/stack.ts). Each login uses a
 * token from the TokenRequest API: bound to the application's Pod, with the audience and lifetime of
 * the pod's projected volume, as the kubelet would write it.
 *
 * Tokens the API cannot issue are minted (support/tokens.ts): an expired one, signed with the API
 * server's own key (a fresh copy of it is the control), and a forged one signed with another key.
 * What a real server cannot show stays in test/integration/kubernetes-auth.test.ts (fake TokenReview):
 * the exact review Vault sends, and claims that disagree with the review.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPolicyHcl, staticCredsReadPolicyRules } from "../../components/vault/policies";
import { adminRoleBinding } from "../../stacks/config";
import { connect } from "../integration/support/pg";
import type { VaultApi, VaultResult } from "../integration/support/vaultApi";
import { applyVaultResources } from "../integration/support/vaultResources";
import { KubeError, waitUntil } from "./support/kube";
import { KubeStack, kubeTierEnv, REVIEWER_SERVICE_ACCOUNT, type FixtureApplication, type KubeStackSpec } from "./support/stack";
import { decodeJwt, forged, reissued, serviceAccountSigningKey } from "./support/tokens";

const env = kubeTierEnv();

const APPS: FixtureApplication[] = [
    { name: "ledger", namespace: "payments", serviceAccount: "ledger-writer", databaseRole: "vk_ledger_rw" },
    { name: "billing", namespace: "payments", serviceAccount: "billing-runner", databaseRole: "vk_billing_app" },
    { name: "reports", namespace: "analytics", serviceAccount: "reports-reader", databaseRole: "vk_reports_ro" },
];
const SPEC: KubeStackSpec = {
    stack: "kube-auth",
    databaseNamespace: "ledger-db",
    vaultAdminRole: "vk_kube_auth_vault_admin",
    applications: APPS,
    // Not the API server's own audience: a token requested without one must not work.
    audience: "vaultkit-kube-auth",
    // An existing database and no debug pods: the admin role binds only who is listed here.
    adminServiceAccounts: ["ledger-auditor"],
};
const API_AUDIENCE = "https://kubernetes.default.svc";

describe.skipIf(!env)(env ? "Vault Kubernetes auth with real ServiceAccount tokens" : "Vault Kubernetes auth — skipped: VAULTKIT_KUBE_SERVER is not set (scripts/test-kube.sh)", () => {
    let stack: KubeStack;
    const issued: string[] = [];

    const cfg = () => stack.config;
    const mount = () => cfg().kubernetesAuth.mount;
    const dbMount = () => cfg().database.databaseMount;
    const adminRole = () => cfg().database.adminAuthRole;
    const roles = () => [...APPS.map((a) => a.name), adminRole()];

    function login(role: string, jwt: string): Promise<VaultResult> {
        return stack.anon.write(`auth/${mount()}/login`, { role, jwt });
    }

    async function loginOk(role: string, jwt: string, what: string): Promise<{ api: VaultApi; auth: any }> {
        const r = await login(role, jwt);
        expect(r.status, `${what}: ${r.errors.join("; ")}`).toBe(200);
        issued.push(r.body.auth.client_token);
        return { api: stack.vault.withToken(r.body.auth.client_token), auth: r.body.auth };
    }

    async function refused(role: string, jwt: string, what: string, reason: RegExp): Promise<void> {
        const r = await login(role, jwt);
        expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(403);
        expect(r.body?.auth ?? null, what).toBeNull();
        expect(r.errors.join("; "), what).toMatch(reason);
    }

    /**
     * Logs in with `jwt` until Vault refuses it, and prints how long that took: kube-apiserver caches a
     * successful token authentication for 10 s, so a token reviewed just before its Pod or
     * ServiceAccount was deleted still logs in until that entry expires. Returns the API's own review.
     */
    async function untilRefused(role: string, jwt: string, what: string): Promise<{ error?: string }> {
        const from = performance.now();
        let accepted = 0;
        await waitUntil(
            async () => {
                const r = await login(role, jwt);
                if (r.status === 200) {
                    accepted++;
                    await stack.vault.tokenRevoke(r.body.auth.client_token);
                    return undefined;
                }
                return r.status === 403;
            },
            { what: `Vault to refuse ${what}`, timeoutMs: 30_000, intervalMs: 250 },
        );
        console.log(`[kube] ${what}: still logged in ${((performance.now() - from) / 1000).toFixed(1)} s after the deletion (${accepted} logins)`);
        await refused(role, jwt, what, /permission denied/);
        const review = await stack.kube.as(stack.reviewerToken).reviewToken(jwt, [SPEC.audience]);
        expect(review.authenticated ?? false, what).toBe(false);
        return review;
    }

    async function appPodToken(app: FixtureApplication): Promise<string> {
        return stack.projectedToken(await stack.podOf(app.name));
    }

    beforeAll(async () => {
        stack = await KubeStack.deploy(SPEC, env!);
    });

    afterAll(async () => {
        if (stack) {
            for (const t of issued) await stack.vault.tokenRevoke(t);
            await stack.teardown();
        }
    });

    it("configures Vault from the stack: the real API server and its CA, the reviewer token, one role per application", async () => {
        const c = (await stack.vault.must("read", `auth/${mount()}/config`)).data;
        expect(c.kubernetes_host).toBe(env!.kube.server);
        expect(c.kubernetes_ca_cert).toBe(env!.kube.ca);
        expect(c.token_reviewer_jwt_set).toBe(true);
        expect(c.disable_local_ca_jwt).toBe(true);
        expect(JSON.stringify(c)).not.toContain(stack.reviewerToken);
        // The reviewer as README asks for it: a long-lived token (no `exp`) of a ServiceAccount bound to
        // system:auth-delegator, which may therefore create TokenReviews.
        expect(decodeJwt(stack.reviewerToken).claims.exp).toBeUndefined();
        const review = await stack.kube.as(stack.reviewerToken).reviewToken(stack.reviewerToken);
        expect(review.user?.username).toBe(`system:serviceaccount:${SPEC.stack}-vault:${REVIEWER_SERVICE_ACCOUNT}`);

        for (const a of APPS) {
            const role = (await stack.vault.must("read", `auth/${mount()}/role/${a.name}`)).data;
            expect(role.bound_service_account_names, a.name).toEqual([a.serviceAccount]);
            expect(role.bound_service_account_namespaces, a.name).toEqual([a.namespace]);
            expect(role.audience, a.name).toBe(SPEC.audience);
            expect(role.token_policies, a.name).toHaveLength(1);
            const policy = (await stack.vault.must("read", `sys/policies/acl/${role.token_policies[0]}`)).data.policy;
            expect(policy, a.name).toBe(renderPolicyHcl(staticCredsReadPolicyRules(dbMount(), a.name)));
            // The pod the stack declares runs as that ServiceAccount, with a token for that audience.
            const pod = await stack.podOf(a.name);
            expect(pod.metadata.namespace).toBe(a.namespace);
            expect(pod.spec.serviceAccountName).toBe(a.serviceAccount);
            const projected = pod.spec.volumes.flatMap((v) => v.projected?.sources ?? []).map((s) => s.serviceAccountToken?.audience);
            expect(projected).toEqual([SPEC.audience]);
        }
    });

    it("each application's pod token logs in to its own role only, and reads only its own credentials, which work in PostgreSQL", async () => {
        for (const app of APPS) {
            const pod = await stack.podOf(app.name);
            const jwt = await stack.projectedToken(pod);
            const claims = decodeJwt(jwt).claims;
            expect(claims.aud).toEqual([SPEC.audience]);
            expect(claims["kubernetes.io"].pod.uid).toBe(pod.metadata.uid);

            for (const role of roles().filter((r) => r !== app.name)) {
                await refused(role, jwt, `${app.name}'s token on role ${role}`, /service account name not authorized|namespace not authorized/);
            }
            const { api, auth } = await loginOk(app.name, jwt, `${app.name}'s token on its own role`);
            expect(auth.metadata).toMatchObject({
                role: app.name,
                service_account_name: app.serviceAccount,
                service_account_namespace: app.namespace,
                service_account_uid: await stack.serviceAccountUid(app.namespace, app.serviceAccount),
            });
            expect([...auth.token_policies].sort()).toEqual([`${app.name}-database-creds`, "default"].sort());
            expect(auth.lease_duration).toBe(cfg().applications.find((a) => a.name === app.name)!.tokenTtl);

            const creds = await api.read(`${dbMount()}/static-creds/${app.name}`);
            expect(creds.status, `${app.name} reads its creds`).toBe(200);
            expect(creds.body.data.username).toBe(app.databaseRole);
            const pg = await connect(env!.servers.pg, creds.body.data.username, creds.body.data.password);
            try {
                expect((await pg.query("select current_user as who")).rows).toEqual([{ who: app.databaseRole }]);
            } finally {
                await pg.end();
            }
            for (const other of APPS.filter((o) => o !== app)) {
                const path = `${dbMount()}/static-creds/${other.name}`;
                expect((await stack.vault.read(path)).status, `root reads ${path}`).toBe(200); // the 403 below is the policy
                expect((await api.read(path)).status, `${app.name} reads ${other.name}'s creds`).toBe(403);
            }
            expect((await api.read(`${cfg().database.kvMount}/data/${cfg().database.adminSecretPath}`)).status).toBe(403);
            expect((await api.read(`${dbMount()}/config/${cfg().database.connectionName}`)).status).toBe(403);
            expect((await api.write(`${dbMount()}/rotate-role/${app.name}`, {})).status).toBe(403);
        }
    });

    it("the admin role: the listed ServiceAccount of the database namespace reads the admin secret; its `default` and no application can", async () => {
        const db = cfg().database;
        const secretPath = `${db.kvMount}/data/${db.adminSecretPath}`;
        const expected = (await stack.vault.must("read", secretPath)).data.data;
        // With an existing database the stack declares neither that namespace nor the listed ServiceAccount
        // (whoever runs the database's tooling owns them); `default` comes from kube-controller-manager.
        expect(stack.objects.filter((o) => o.metadata.name === SPEC.databaseNamespace || o.metadata.namespace === SPEC.databaseNamespace)).toEqual([]);
        expect(adminRoleBinding(cfg())).toEqual({ serviceAccounts: SPEC.adminServiceAccounts, namespaces: [SPEC.databaseNamespace] });
        await stack.applyObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: SPEC.databaseNamespace } });
        for (const name of SPEC.adminServiceAccounts!) {
            await stack.applyObject({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: SPEC.databaseNamespace } });
            const { token } = await stack.kube.createToken(SPEC.databaseNamespace, name, { audiences: [SPEC.audience], expirationSeconds: 600 });
            for (const app of APPS) {
                await refused(app.name, token, `${name} on ${app.name}`, /service account name not authorized|namespace not authorized/);
            }
            const { api } = await loginOk(adminRole(), token, `${name} on the admin role`);
            const r = await api.read(secretPath);
            expect(r.status).toBe(200);
            expect(r.body.data.data).toEqual(expected);
            for (const app of APPS) {
                expect((await api.read(`${dbMount()}/static-creds/${app.name}`)).status, `${name} reads ${app.name}'s creds`).toBe(403);
            }
        }
        // The seed bound `default`: any pod of the namespace without a ServiceAccount of its own.
        await waitUntil(() => stack.kube.get({ apiVersion: "v1", kind: "ServiceAccount", namespace: SPEC.databaseNamespace, name: "default" }), { what: "the default ServiceAccount" });
        const { token: byDefault } = await stack.kube.createToken(SPEC.databaseNamespace, "default", { audiences: [SPEC.audience], expirationSeconds: 600 });
        await refused(adminRole(), byDefault, "default on the admin role", /service account name not authorized/);
        for (const app of APPS) {
            await refused(adminRole(), await appPodToken(app), `${app.name} on the admin role`, /service account name not authorized|namespace not authorized/);
        }
    });

    it("refuses a ServiceAccount of the right name in the wrong namespace, though the API vouches for its token", async () => {
        const ledger = APPS[0]!;
        const elsewhere = APPS.find((a) => a.namespace !== ledger.namespace)!.namespace;
        await stack.kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: ledger.serviceAccount, namespace: elsewhere } });
        const { token } = await stack.kube.createToken(elsewhere, ledger.serviceAccount, { audiences: [SPEC.audience], expirationSeconds: 600 });
        expect((await stack.kube.as(stack.reviewerToken).reviewToken(token, [SPEC.audience])).authenticated).toBe(true);
        await refused(ledger.name, token, `${ledger.serviceAccount} in ${elsewhere}`, /namespace not authorized/);
    });

    it("refuses a token for another audience, and the API itself does not vouch for it for the role's audience", async () => {
        const ledger = APPS[0]!;
        for (const audience of [API_AUDIENCE, "vault"]) {
            const { token } = await stack.kube.createToken(ledger.namespace, ledger.serviceAccount, { audiences: [audience], expirationSeconds: 600 });
            await refused(ledger.name, token, `audience ${audience}`, /audience/);
            const review = await stack.kube.as(stack.reviewerToken).reviewToken(token, [SPEC.audience]);
            expect(review.authenticated ?? false, audience).toBe(false);
            expect(review.error, audience).toMatch(/audience/);
            expect((await stack.kube.as(stack.reviewerToken).reviewToken(token, [audience])).authenticated, `control: valid for ${audience}`).toBe(true);
        }
        // No audience at all: the API server's own (--api-audiences), not the role's.
        const { token } = await stack.kube.createToken(ledger.namespace, ledger.serviceAccount, { expirationSeconds: 600 });
        expect(decodeJwt(token).claims.aud).toEqual([API_AUDIENCE]);
        await refused(ledger.name, token, "no audience requested", /audience/);
    });

    it("refuses the token of a Pod that was deleted; the replacement Pod's token works", async () => {
        const billing = APPS[1]!;
        const pod = await stack.podOf(billing.name);
        const jwt = await stack.projectedToken(pod);
        await loginOk(billing.name, jwt, "before the pod is deleted");
        await stack.kube.delete({ apiVersion: "v1", kind: "Pod", namespace: billing.namespace, name: pod.metadata.name });
        expect((await untilRefused(billing.name, jwt, "the deleted pod's token")).error).toMatch(/has been invalidated/);
        const replacement = await stack.podOf(billing.name, pod.metadata.uid);
        await loginOk(billing.name, await stack.projectedToken(replacement), "the replacement pod's token");
    });

    it("refuses the token of a deleted ServiceAccount, also once one of the same name exists again", async () => {
        const reports = APPS[2]!;
        const ref = { apiVersion: "v1", kind: "ServiceAccount", namespace: reports.namespace, name: reports.serviceAccount };
        const declared = stack.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === reports.serviceAccount && o.metadata.namespace === reports.namespace)!;
        const oldUid = await stack.serviceAccountUid(reports.namespace, reports.serviceAccount);
        const { token } = await stack.kube.createToken(reports.namespace, reports.serviceAccount, { audiences: [SPEC.audience], expirationSeconds: 600 });
        await loginOk(reports.name, token, "before the ServiceAccount is deleted");

        expect(await stack.kube.delete(ref)).toBe(true);
        expect((await untilRefused(reports.name, token, "the deleted ServiceAccount's token")).error).toMatch(/not found/);

        // The stack's ServiceAccount again (a new `pulumi up`): same name, new UID.
        await stack.kube.apply(declared);
        const newUid = await stack.serviceAccountUid(reports.namespace, reports.serviceAccount);
        expect(newUid).not.toBe(oldUid);
        const review = await stack.kube.as(stack.reviewerToken).reviewToken(token, [SPEC.audience]);
        expect(review.authenticated ?? false).toBe(false);
        expect(review.error).toMatch(/service account UID \(.*\) does not match claim/);
        await refused(reports.name, token, "the old token after the ServiceAccount came back", /permission denied/);
        const { token: fresh } = await stack.kube.createToken(reports.namespace, reports.serviceAccount, { audiences: [SPEC.audience], expirationSeconds: 600 });
        const { auth } = await loginOk(reports.name, fresh, "a token of the new ServiceAccount");
        expect(auth.metadata.service_account_uid).toBe(newUid);
    });

    it("refuses an expired token signed with the API server's own key; a fresh copy of it is accepted", async () => {
        const ledger = APPS[0]!;
        const key = serviceAccountSigningKey(env!.kube);
        const { token } = await stack.kube.createToken(ledger.namespace, ledger.serviceAccount, { audiences: [SPEC.audience], expirationSeconds: 600 });
        const reviewer = stack.kube.as(stack.reviewerToken);

        // Control: the same claims re-signed now are a token the API and Vault accept.
        const fresh = reissued(token, key, 0);
        expect((await reviewer.reviewToken(fresh, [SPEC.audience])).authenticated).toBe(true);
        await loginOk(ledger.name, fresh, "the re-signed control token");

        // Issued two hours ago, expired for well over the 60 s leeway of both Vault and the API.
        const expired = reissued(token, key, -7200);
        expect(decodeJwt(expired).claims.exp).toBeLessThan(Date.now() / 1000 - 3600);
        const review = await reviewer.reviewToken(expired, [SPEC.audience]);
        expect(review.authenticated ?? false).toBe(false);
        expect(review.error).toMatch(/expired/);
        await refused(ledger.name, expired, "the expired token", /expired/);
    });

    it("refuses a token with the right claims signed by another key: Vault does not check signatures, the API's review does", async () => {
        const ledger = APPS[0]!;
        const { token } = await stack.kube.createToken(ledger.namespace, ledger.serviceAccount, { audiences: [SPEC.audience], expirationSeconds: 600 });
        const fake = forged(token);
        expect(decodeJwt(fake).claims.sub).toBe(`system:serviceaccount:${ledger.namespace}:${ledger.serviceAccount}`);
        expect((await stack.kube.as(stack.reviewerToken).reviewToken(fake, [SPEC.audience])).authenticated ?? false).toBe(false);
        await refused(ledger.name, fake, "the forged token", /permission denied/);
    });

    it("refuses every login while Vault's reviewer lacks system:auth-delegator", async () => {
        const ledger = APPS[0]!;
        const ns = `${SPEC.stack}-vault`;
        await stack.kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "no-delegator", namespace: ns } });
        const { token: unprivileged } = await stack.kube.createToken(ns, "no-delegator", { expirationSeconds: 600 });
        const denied = await stack.kube
            .as(unprivileged)
            .reviewToken(unprivileged)
            .then(() => undefined, (e: unknown) => e);
        expect(denied).toBeInstanceOf(KubeError);
        expect((denied as KubeError).status).toBe(403);

        const config = stack.resource("vault:kubernetes/authBackendConfig:AuthBackendConfig");
        await stack.vault.must("write", `auth/${mount()}/config`, { kubernetes_host: env!.kube.server, kubernetes_ca_cert: env!.kube.ca, disable_local_ca_jwt: true, token_reviewer_jwt: unprivileged });
        try {
            await refused(ledger.name, await appPodToken(ledger), "a perfect token, reviewer without the binding", /permission denied/);
        } finally {
            // Back to the stack's own config.
            await applyVaultResources(stack.vault, { ...stack.capture, resources: [config] });
        }
        await loginOk(ledger.name, await appPodToken(ledger), "after the stack's config is back");
    });
});
