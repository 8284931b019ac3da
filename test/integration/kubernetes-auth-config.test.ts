/**
 * Real-server tier: the Kubernetes auth method's config (`auth/<mount>/config`) exactly as the stack
 * writes it (kubernetesAuthConfigInputs, fed from a parsed stack config), in the two places Vault
 * can run, against a fake API server that answers TokenReviews over HTTPS (support/fakeKubernetes.ts):
 *
 * - **outside the cluster** (`kubernetesCaCert`, `kubernetesTokenReviewerJwt`, a reachable
 *   `kubernetesHost`): Vault accepts the config, verifies the API server with that CA and reviews
 *   every login with that token. Without them Vault refuses the config with the very error a real
 *   `pulumi up` hit (`open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt`), which is why
 *   the stack config refuses such a stack before anything is touched;
 * - **inside the cluster** (`kubernetesAuth.vaultRunsInCluster`): a second Vault dev server runs in
 *   a mount namespace that gives it a pod's service-account files and the in-cluster API name
 *   (support/podVault.ts); the config without CA and token is accepted, and Vault reviews with its
 *   pod's token, verifying the API server with its pod's CA.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationAuthRoleSpec } from "../../components/vault/databaseSecretsData";
import { kubernetesAuthRoleInputs } from "../../components/vault/kubernetesAuthRole";
import { kubernetesAuthConfigInputs } from "../../components/vault/vaultKubernetesAuth";
import { ConfigError, parseStackConfig, type StackConfig } from "../../stacks/config";
import { applicationAccessArgs } from "../../stacks/vaultArgs";
import { testCa, type TestCa } from "../support/tls";
import { integrationEnv, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { FakeKubernetes, type ServiceAccountRef } from "./support/fakeKubernetes";
import { namespaceRunner, startPodVault, type PodVault } from "./support/podVault";
import { VaultApi, type VaultResult } from "./support/vaultApi";
import { authConfigWrite, authRoleWrite, type ApiWrite } from "./support/vaultResources";

const env = integrationEnv();

const AUTH_MOUNT = "kubernetes-authcfg-it";
const POD_TOKEN_FILE_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

const SA = {
    vault: { namespace: "vault", name: "vault" },
    app: { namespace: "apps", name: "orders-api" },
} satisfies Record<string, ServiceAccountRef>;

/** An existing Vault for one application; `kubernetesAuth` and the reviewer token vary per case. */
function stack(kubernetesAuth: Record<string, unknown>, reviewerJwt?: string): StackConfig {
    return parseStackConfig(
        "authcfg",
        {
            platform: "kubernetes",
            vault: { mode: "existing", address: "https://vault.example.com:8200" },
            vaultToken: "hvs.unused-here",
            kubernetesAuth: { mount: AUTH_MOUNT, ...kubernetesAuth },
            ...(reviewerJwt ? { kubernetesTokenReviewerJwt: reviewerJwt } : {}),
            database: { kvMount: "kv-authcfg-it", databaseMount: "database-authcfg-it" },
            applications: [{ name: "orders", namespace: SA.app.namespace, serviceAccount: SA.app.name, databaseRole: "orders_rw" }],
        },
    );
}

/** What the stack hands `vault.kubernetes.AuthBackendConfig`, from a parsed config. */
function configInputsOf(c: StackConfig) {
    return kubernetesAuthConfigInputs({
        kubernetesHost: c.kubernetesAuth.kubernetesHost,
        kubernetesCaCert: c.kubernetesAuth.kubernetesCaCert,
        tokenReviewerJwt: c.kubernetesTokenReviewerJwt,
    });
}

/** The config write the provider makes (support/vaultResources.ts), with `override` for the wrong-CA case. */
function configWrite(inputs: ReturnType<typeof configInputsOf>, override: { kubernetesCaCert?: string } = {}): ApiWrite {
    return authConfigWrite({ ...inputs, ...override, backend: AUTH_MOUNT });
}

/** The application's role as ApplicationDatabaseAccess declares it, from the args stacks/vault.ts hands it. */
function appRoleWrite(c: StackConfig): ApiWrite {
    const app = c.applications[0]!;
    const db = c.database;
    const spec = applicationAuthRoleSpec(applicationAccessArgs(c, app, { databaseMount: db.databaseMount, connectionName: db.connectionName, authMount: AUTH_MOUNT }));
    return authRoleWrite({ ...kubernetesAuthRoleInputs(spec), backend: AUTH_MOUNT });
}

describe.skipIf(!env)(env ? "the Kubernetes auth config the stack writes, outside and inside the cluster" : `kubernetes auth config — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let k8s: FakeKubernetes | undefined;
    let apiCa: TestCa | undefined;
    let otherCa: TestCa | undefined;
    let pod: PodVault | undefined;
    let reviewerJwt: string;
    let checks = 0;

    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    async function enableAuth(api: VaultApi): Promise<void> {
        const auths = await api.must("read", "sys/auth");
        if (`${AUTH_MOUNT}/` in (auths?.data ?? auths)) {
            await api.must("delete", `sys/auth/${AUTH_MOUNT}`);
        }
        await api.must("write", `sys/auth/${AUTH_MOUNT}`, { type: "kubernetes" });
    }

    function login(api: VaultApi, jwt: string): Promise<VaultResult> {
        return api.withToken("").write(`auth/${AUTH_MOUNT}/login`, { role: "orders", jwt });
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        // The API server's certificate names both the in-cluster name and the address outside.
        apiCa = testCa("kubernetes-api-ca", ["kubernetes.default.svc", "127.0.0.1"]);
        otherCa = testCa("some-other-ca");
        k8s = await FakeKubernetes.start({ tls: { cert: apiCa.serverCertPem, key: apiCa.serverKeyPem } });
        // Vault's own service account, bound to system:auth-delegator: the reviewer.
        reviewerJwt = k8s.issue(SA.vault);
        k8s.allowTokenReviews(reviewerJwt);
        await enableAuth(root);
    });

    afterAll(async () => {
        console.log(`[integration] kubernetes auth config: ${checks} checks`);
        try {
            await root?.call("delete", `sys/auth/${AUTH_MOUNT}`);
        } finally {
            await pod?.stop();
            await k8s?.close();
            apiCa?.dispose();
            otherCa?.dispose();
        }
    });

    it("outside the cluster: Vault accepts the API URL, CA and reviewer token the stack writes, and reviews every login with them", async () => {
        const c = stack({ kubernetesHost: k8s!.url, kubernetesCaCert: apiCa!.caPem }, reviewerJwt);
        check(c.kubernetesAuth.vaultRunsInCluster).toBe(false);
        const inputs = configInputsOf(c);
        check(inputs.disableLocalCaJwt).toBe(true);
        const role = appRoleWrite(c);
        await root.must("write", role.path, role.body);

        // The CA is really used: with another CA, Vault cannot reach the API server and the login fails.
        // (First, before any connection to the API server exists that Vault could reuse.)
        const wrongCa = configWrite(inputs, { kubernetesCaCert: otherCa!.caPem });
        await root.must("write", wrongCa.path, wrongCa.body);
        const untrusted = k8s!.issue(SA.app);
        const refused = await login(root, untrusted);
        check(refused.status).toBe(403);
        // Vault says only "permission denied"; the API server never got the review (the TLS handshake failed).
        check(k8s!.reviewsOf(untrusted)).toEqual([]);

        const declared = configWrite(inputs);
        const write = await root.write(declared.path, declared.body);
        check(write.status, write.errors.join("; ")).toBe(204);
        const cfg = (await root.must("read", `auth/${AUTH_MOUNT}/config`)).data;
        check(cfg).toMatchObject({ kubernetes_host: k8s!.url, kubernetes_ca_cert: apiCa!.caPem, disable_local_ca_jwt: true, token_reviewer_jwt_set: true });

        const jwt = k8s!.issue(SA.app);
        const ok = await login(root, jwt);
        check(ok.status, ok.errors.join("; ")).toBe(200);
        check(ok.body.auth.metadata.service_account_name).toBe(SA.app.name);
        check(k8s!.reviewsOf(jwt).map((r) => r.authorization)).toEqual([`Bearer ${reviewerJwt}`]);
        await root.tokenRevoke(ok.body.auth.client_token);
    });

    it("outside the cluster without them: refused by the stack config, and by Vault with the error the real `pulumi up` hit", async () => {
        let problems: string[] = [];
        try {
            stack({ kubernetesHost: k8s!.url });
        } catch (err) {
            problems = (err as ConfigError).problems.map((p) => p.key);
        }
        check(problems).toEqual(["vaultkit:kubernetesAuth.kubernetesCaCert", "vaultkit:kubernetesTokenReviewerJwt"]);

        // What would have been written: no CA, no reviewer, so Vault looks for its pod's files.
        const inputs = kubernetesAuthConfigInputs<string>({ kubernetesHost: k8s!.url });
        check(inputs.disableLocalCaJwt).toBe(false);
        const w = configWrite(inputs);
        const r = await root.write(w.path, w.body);
        if (existsSync(POD_TOKEN_FILE_CA)) {
            // This machine is a pod: the same config is the in-cluster one, and works.
            check(r.status, r.errors.join("; ")).toBe(204);
        } else {
            check(r.status).toBe(400);
            check(r.errors.join("; ")).toContain(`open ${POD_TOKEN_FILE_CA}: no such file or directory`);
        }
    });

    it("inside the cluster: a Vault pod's own CA and token are right; the stack writes neither", async () => {
        const runner = namespaceRunner();
        const bin = process.env.VAULTKIT_BAO_BIN;
        if ("missing" in runner || !bin) {
            // Not a skip: the tier exists to show this, so a machine that cannot run it fails.
            throw new Error(`cannot start a Vault with a pod's files: ${"missing" in runner ? runner.missing : "VAULTKIT_BAO_BIN is not set (scripts/test-integration.sh sets it)"}`);
        }
        const port = new URL(k8s!.url).port;
        const c = stack({ vaultRunsInCluster: true, kubernetesHost: `https://kubernetes.default.svc:${port}` });
        check(c.kubernetesAuth.vaultRunsInCluster).toBe(true);
        const inputs = configInputsOf(c);
        check(inputs).toEqual({ kubernetesHost: `https://kubernetes.default.svc:${port}`, disableLocalCaJwt: false });

        // The pod's service account token is Vault's own, which may create TokenReviews.
        const podToken = k8s!.issue(SA.vault);
        k8s!.allowTokenReviews(podToken);
        pod = await startPodVault({ bin, prefix: runner.prefix, caPem: apiCa!.caPem, token: podToken });
        await enableAuth(pod.api);
        const declared = configWrite(inputs);
        const write = await pod.api.write(declared.path, declared.body);
        check(write.status, write.errors.join("; ")).toBe(204);
        const cfg = (await pod.api.must("read", `auth/${AUTH_MOUNT}/config`)).data;
        check(cfg).toMatchObject({ kubernetes_host: inputs.kubernetesHost, kubernetes_ca_cert: "", disable_local_ca_jwt: false, token_reviewer_jwt_set: false });
        const role = appRoleWrite(c);
        await pod.api.must("write", role.path, role.body);

        const jwt = k8s!.issue(SA.app);
        const ok = await login(pod.api, jwt);
        check(ok.status, ok.errors.join("; ")).toBe(200);
        check(ok.body.auth.metadata.service_account_namespace).toBe(SA.app.namespace);
        // Reviewed with the pod's token, over TLS verified with the pod's CA file.
        check(k8s!.reviewsOf(jwt).map((r) => r.authorization)).toEqual([`Bearer ${podToken}`]);
    });
});
