/**
 * The real program (index.ts at the repo root) on the real engine, in "existing Vault + existing
 * PostgreSQL" mode, against the stage-1 servers (scripts/test-e2e.sh starts them, or reuses
 * VAULT_ADDR/VAULT_TOKEN and PG* from the environment).
 *
 * No Kubernetes object is declared in this mode (every application has deployWorkload: false), so
 * the engine needs only pulumi, pulumi-language-nodejs and the random and vault providers.
 *
 *   before: the Vault admin and app roles are created in PostgreSQL with the project's own SQL
 *   up: KV v2 secret, policies, kubernetes auth (config + roles), database connection, static role
 *   the app logs in to PostgreSQL with the password from <db mount>/static-creds/<app>
 *   a second preview: only `same`
 *   the exported state holds no generated password, static-creds password or token in plaintext
 *   destroy: sys/mounts, sys/auth and sys/policies/acl are exactly as before
 *
 * Every Vault path, PostgreSQL role and the stack name carry a random suffix, so a shared server
 * is safe. The stack's config file (Pulumi.<stack>.yaml, written next to Pulumi.yaml by the
 * Automation API) is removed afterwards.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoleSql, grantManagedRolesSql, vaultAdminRoleSql } from "../../components/stackgres/sql";
import { integrationEnv, randomPassword, type IntegrationEnv } from "../integration/support/env";
import { connectSuperuser, dropRoles, loginState, type PgClient } from "../integration/support/pg";
import { VaultApi } from "../integration/support/vaultApi";
import { testCa, type TestCa } from "../support/tls";
import { backendText, bareSecretPaths, cleanUp, engineBinDir, engineSandbox, leakedValues, missingBinaries, precondition, REPO_ROOT, type EngineSandbox } from "./support/engine";
import { STACKGRES_SECRET_KEYS } from "../support/types";

const NEEDED = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-random", "pulumi-resource-vault"];
const missing = missingBinaries(NEEDED);
// The vault provider is blocked at the module proxy (engine/provider-vault/BLOCKED.md); until it
// builds, this file skips even under VAULTKIT_E2E_REQUIRED=1 unless VAULTKIT_E2E_REQUIRE_VAULT=1.
const requireAll = process.env.VAULTKIT_E2E_REQUIRE_VAULT === "1" || (process.env.VAULTKIT_E2E_REQUIRED === "1" && !missing.includes("pulumi-resource-vault"));
const binSkip = precondition(missing.length === 0, `engine binaries missing in ${engineBinDir()}: ${missing.join(", ")} (scripts/build-pulumi-engine.sh; the vault provider is blocked, see engine/provider-vault/BLOCKED.md)`, requireAll);
const env: IntegrationEnv | undefined = binSkip ? undefined : integrationEnv();
const skip = binSkip ?? precondition(env !== undefined, "VAULT_ADDR/PGHOST are not set (run scripts/test-e2e.sh)");

const id = randomBytes(3).toString("hex");
const names = {
    stack: `e2e-existing-${id}`,
    kvMount: `e2e-kv-${id}`,
    adminSecretPath: `e2e/${id}/config`,
    adminPolicy: `e2e-admin-${id}`,
    adminAuthRole: `e2e-admin-${id}`,
    authMount: `e2e-k8s-${id}`,
    databaseMount: `e2e-db-${id}`,
    connection: `e2e-pg-${id}`,
    vaultAdminRole: `e2e_vault_admin_${id}`,
    app: `e2e-app-${id}`,
    appRole: `e2e_app_${id}`,
};

interface VaultLists {
    mounts: string[];
    auth: string[];
    policies: string[];
}

async function vaultLists(vault: VaultApi): Promise<VaultLists> {
    const mounts = await vault.must("read", "sys/mounts");
    const auth = await vault.must("read", "sys/auth");
    const policies = await vault.must("list", "sys/policies/acl");
    return {
        mounts: Object.keys(mounts?.data ?? mounts).filter((k) => k.endsWith("/")).sort(),
        auth: Object.keys(auth?.data ?? auth).filter((k) => k.endsWith("/")).sort(),
        policies: [...(policies?.data?.keys ?? [])].sort(),
    };
}

describe.skipIf(skip !== undefined)("real program, existing Vault + existing PostgreSQL, on the real engine", () => {
    let sandbox: EngineSandbox;
    let stack: Stack;
    let vault: VaultApi;
    let su: PgClient;
    let before: VaultLists;
    let apiCa: TestCa;
    const adminPassword = randomPassword();
    // Vault runs outside any cluster here: Kubernetes auth needs the API server's URL and CA and a
    // reviewer token (the config refuses the stack without them; Vault would refuse the auth config).
    const apiServer = "https://api.e2e.example.com:6443";
    const reviewerJwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `system:serviceaccount:vault:reviewer-${id}` })).toString("base64url")}.sig`;

    beforeAll(async () => {
        const e = env!;
        vault = new VaultApi(e.vaultAddr, e.vaultToken);
        before = await vaultLists(vault);
        su = await connectSuperuser(e);
        // What StackGres' SGScript would run; here the existing database gets it from its DBA.
        await su.query(vaultAdminRoleSql(names.vaultAdminRole, adminPassword));
        await su.query(appRoleSql(names.appRole));
        const grants = grantManagedRolesSql(names.vaultAdminRole, [names.appRole]);
        if (grants !== "") {
            await su.query(grants);
        }

        apiCa = testCa(`e2e-api-${id}`);
        sandbox = engineSandbox("existing");
        const pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });
        stack = await LocalWorkspace.createOrSelectStack({ stackName: names.stack, workDir: REPO_ROOT }, { envVars: sandbox.env, pulumiCommand });
        await stack.setAllConfig({
            "vaultkit:platform": { value: "kubernetes" },
            "vaultkit:vault": { value: JSON.stringify({ mode: "existing", address: e.vaultAddr }) },
            "vaultkit:vaultToken": { value: e.vaultToken, secret: true },
            "vaultkit:databaseAdminPassword": { value: adminPassword, secret: true },
            "vaultkit:kubernetesAuth": { value: JSON.stringify({ mount: names.authMount, kubernetesHost: apiServer, kubernetesCaCert: apiCa.caPem }) },
            "vaultkit:kubernetesTokenReviewerJwt": { value: reviewerJwt, secret: true },
            "vaultkit:database": {
                value: JSON.stringify({
                    mode: "existing",
                    host: "127.0.0.1",
                    // The test server's TLS (scripts/postgres-test-server.sh), as with StackGres.
                    sslMode: "require",
                    port: e.pg.port,
                    database: e.pg.database,
                    vaultAdminRole: names.vaultAdminRole,
                    kvMount: names.kvMount,
                    adminSecretPath: names.adminSecretPath,
                    adminPolicyName: names.adminPolicy,
                    adminAuthRole: names.adminAuthRole,
                    databaseMount: names.databaseMount,
                    connectionName: names.connection,
                }),
            },
            "vaultkit:applications": {
                value: JSON.stringify([
                    { name: names.app, namespace: "e2e-apps", serviceAccount: "e2e-app", databaseRole: names.appRole, delivery: "direct", deployWorkload: false },
                ]),
            },
        });
    });

    afterAll(async () => {
        await cleanUp([
            ["destroy", () => stack && stack.destroy({ onOutput: () => undefined })],
            ["stack rm", () => stack && stack.workspace.removeStack(stack.name, { force: true })],
            // The Automation API wrote Pulumi.<stack>.yaml next to Pulumi.yaml; never leave it in the repo.
            ["stack file", () => rmSync(join(REPO_ROOT, `Pulumi.${names.stack}.yaml`), { force: true })],
            ["sandbox", () => sandbox?.dispose()],
            ["test CA", () => apiCa?.dispose()],
            ["drop roles", () => su && dropRoles(su, [names.appRole, names.vaultAdminRole])],
            ["superuser connection", () => su?.end()],
        ]);
    });

    let upLog = "";

    it("up creates the KV secret, policies, kubernetes auth, database connection and static role", async () => {
        const log: string[] = [];
        const up = await stack.up({ onOutput: (s) => log.push(s) });
        upLog = log.join("");
        expect(up.summary.result, upLog).toBe("succeeded");

        const kv = await vault.must("read", `${names.kvMount}/data/${names.adminSecretPath}`);
        expect(Object.keys(kv.data.data).sort()).toEqual(STACKGRES_SECRET_KEYS);
        const policies = (await vaultLists(vault)).policies;
        expect(policies).toEqual(expect.arrayContaining([names.adminPolicy, `${names.app}-database-creds`]));

        const auth = await vault.must("read", "sys/auth");
        expect((auth.data ?? auth)[`${names.authMount}/`]?.type).toBe("kubernetes");
        const k8sConfig = await vault.must("read", `auth/${names.authMount}/config`);
        expect(k8sConfig.data.kubernetes_host).toBe(apiServer);
        expect(k8sConfig.data.kubernetes_ca_cert).toBe(apiCa.caPem);
        expect(k8sConfig.data.disable_local_ca_jwt).toBe(true);
        expect(k8sConfig.data.token_reviewer_jwt_set).toBe(true);
        // An existing database: nothing syncs the admin credentials, so no admin role binds anyone.
        expect((await vault.read(`auth/${names.authMount}/role/${names.adminAuthRole}`)).status).toBe(404);
        const appAuthRole = await vault.must("read", `auth/${names.authMount}/role/${names.app}`);
        expect(appAuthRole.data.token_policies).toEqual([`${names.app}-database-creds`]);
        expect(appAuthRole.data.bound_service_account_names).toEqual(["e2e-app"]);

        const conn = await vault.must("read", `${names.databaseMount}/config/${names.connection}`);
        expect(conn.data.plugin_name).toBe("postgresql-database-plugin");
        expect(conn.data.allowed_roles).toEqual([names.app]);
        expect(conn.data.connection_details.username).toBe(names.vaultAdminRole);
        const staticRole = await vault.must("read", `${names.databaseMount}/static-roles/${names.app}`);
        expect(staticRole.data.username).toBe(names.appRole);
        expect(staticRole.data.db_name).toBe(names.connection);
    });

    it("the app logs in to PostgreSQL with the password from static-creds", async () => {
        const creds = await vault.must("read", `${names.databaseMount}/static-creds/${names.app}`);
        expect(creds.data.username).toBe(names.appRole);
        expect(await loginState(env!.pg, names.appRole, creds.data.password)).toBe("ok");
        expect(await loginState(env!.pg, names.appRole, `${creds.data.password}x`)).toBe("28P01");
    });

    it("a second preview reports no changes", async () => {
        const pv = await stack.preview({ onOutput: () => undefined });
        const kinds = Object.entries(pv.changeSummary).filter(([, n]) => (n ?? 0) > 0).map(([k]) => k);
        expect(kinds).toEqual(["same"]);
    });

    it("the state holds no generated password, static-creds password or token in plaintext", async () => {
        const kv = (await vault.must("read", `${names.kvMount}/data/${names.adminSecretPath}`)).data.data as Record<string, string>;
        const creds = (await vault.must("read", `${names.databaseMount}/static-creds/${names.app}`)).data;
        const secrets: Record<string, string> = {
            "vault token": env!.vaultToken,
            "vault admin password": adminPassword,
            "reviewer token": reviewerJwt,
            "static-creds password": creds.password,
            passphrase: sandbox.passphrase,
        };
        for (const [k, v] of Object.entries(kv)) {
            if (k.endsWith("-password")) {
                secrets[`kv ${k}`] = v;
            }
        }
        expect(Object.keys(secrets)).toHaveLength(9);
        // The file backend (checkpoint, .bak, history, backups) and the stack's config file.
        const { text } = backendText(sandbox.backendDir);
        expect(text).toContain("ciphertext");
        expect(leakedValues(text, secrets)).toEqual([]);
        const configFile = readFileSync(join(REPO_ROOT, `Pulumi.${names.stack}.yaml`), "utf8");
        expect(leakedValues(configFile, secrets)).toEqual([]);
        // stack.exportStack() runs `stack export --show-secrets`: the values may appear there, but
        // only inside secret envelopes.
        expect(bareSecretPaths(await stack.exportStack(), secrets)).toEqual([]);
    });

    it("destroy leaves Vault's mounts, auth methods and policies as they were before", async () => {
        const d = await stack.destroy({ onOutput: () => undefined });
        expect(d.summary.result).toBe("succeeded");
        expect(await vaultLists(vault)).toEqual(before);
    });
});
