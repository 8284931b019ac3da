/**
 * Real-server tier: the ACL policies the project declares (components/vault/policies.ts), written
 * to a live Vault-API server and probed with tokens that carry only those policies. Every "deny"
 * target exists and is reachable by the root token, so a 403 means the policy denied it, not that
 * the path was missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticCredsPolicyName } from "../../components/vault/paths";
import { applicationPolicyHcl, kvReadPolicyRules, renderPolicyHcl } from "../../components/vault/policies";
import { parseStackConfig } from "../../stacks/config";
import { applicationAccess, connectionName, engineMount, provisionDatabaseEngine, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { integrationEnv, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connectSuperuser, type PgClient } from "./support/pg";
import { VaultApi, type VaultOp } from "./support/vaultApi";

const env = integrationEnv();

const KV_MOUNT = "kv-v2";
const SECRET_PATH = "keycloak-postgresql/config";
const OTHER_SECRET_PATH = "other-app/config";
const SIBLING_SECRET_PATH = "keycloak-postgresql/admin";

/** Two applications; application, database role, service account and namespace differ throughout. */
const DB: DatabaseEngineSpec = {
    config: parseStackConfig("policies-it", {
        platform: "kubernetes",
        vault: { address: "http://127.0.0.1:8200" },
        database: { vaultAdminRole: "vk_policy_vault_admin", databaseMount: "database-policy-it", connectionName: "vk-policy-db" },
        applications: [
            { name: "storefront", namespace: "web", serviceAccount: "storefront-sa", databaseRole: "vk_policy_storefront" },
            { name: "warehouse", namespace: "logistics", serviceAccount: "warehouse-sa", databaseRole: "vk_policy_warehouse" },
        ],
    }),
    adminPassword: randomPassword(),
};
const [APP, OTHER] = DB.config.applications as [(typeof DB.config.applications)[number], (typeof DB.config.applications)[number]];
const MOUNT = engineMount(DB);
const CONNECTION = connectionName(DB);

const POLICY_KV = "vk-test-kv-read";
/** The policies ApplicationDatabaseAccess writes for the two applications (names and HCL from its builders). */
const POLICY_APP_CREDS = staticCredsPolicyName(APP.name);
const POLICY_OTHER_CREDS = staticCredsPolicyName(OTHER.name);

type Expect = "allow" | "deny";
interface Check {
    who: string;
    op: VaultOp;
    path: string;
    body?: unknown;
    expect: Expect;
}

describe.skipIf(!env)(env ? "vault policies on a real server (allow/deny matrix)" : `vault policies on a real server — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let su: PgClient | undefined;
    const tokens: Record<string, VaultApi> = {};
    const created: string[] = [];
    let checked = 0;
    let allowed = 0;
    let denied = 0;

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        su = await connectSuperuser(e);

        await root.mountFresh(KV_MOUNT, "kv", { version: "2" });
        for (const p of [SECRET_PATH, OTHER_SECRET_PATH, SIBLING_SECRET_PATH]) {
            await root.must("write", `${KV_MOUNT}/data/${p}`, { data: { username: "u", password: randomPassword(), path: p } });
        }
        await provisionDatabaseEngine(root, su, e, DB);

        await root.policyWrite(POLICY_KV, renderPolicyHcl(kvReadPolicyRules(KV_MOUNT, SECRET_PATH)));
        await root.policyWrite(POLICY_APP_CREDS, applicationPolicyHcl(applicationAccess(DB, APP)));
        await root.policyWrite(POLICY_OTHER_CREDS, applicationPolicyHcl(applicationAccess(DB, OTHER)));

        for (const [who, policy] of [
            ["kv", POLICY_KV],
            ["appCreds", POLICY_APP_CREDS],
            ["otherCreds", POLICY_OTHER_CREDS],
        ] as const) {
            const t = await root.tokenCreate([policy]);
            created.push(t);
            tokens[who] = root.withToken(t);
        }
    });

    afterAll(async () => {
        console.log(`[integration] policy matrix: ${checked} allow/deny checks (${allowed} allow, ${denied} deny)`);
        if (!root) return;
        for (const t of created) await root.tokenRevoke(t);
        for (const p of [POLICY_KV, POLICY_APP_CREDS, POLICY_OTHER_CREDS]) await root.delete(`sys/policies/acl/${p}`);
        await root.unmount(KV_MOUNT);
        try {
            await teardownDatabaseEngine(root, su, DB);
        } finally {
            await su?.end();
        }
    });

    async function run(checks: Check[]): Promise<void> {
        const failures: string[] = [];
        for (const c of checks) {
            const r = await tokens[c.who]!.call(c.op, c.path, c.body);
            checked++;
            const ok =
                c.expect === "allow" ? r.status >= 200 && r.status < 300 : r.status === 403 && r.errors.some((m) => /permission denied/i.test(m));
            if (c.expect === "allow") allowed++;
            else denied++;
            if (!ok) {
                failures.push(`${c.who} ${c.op} ${c.path}: expected ${c.expect}, got HTTP ${r.status} ${r.errors.join("; ")}`);
            }
        }
        expect(failures).toEqual([]);
    }

    it("the root token reaches every probed path (so a 403 below is the policy, not a missing path)", async () => {
        for (const path of [
            `${KV_MOUNT}/data/${SECRET_PATH}`,
            `${KV_MOUNT}/data/${OTHER_SECRET_PATH}`,
            `${KV_MOUNT}/metadata/${SECRET_PATH}`,
            `${MOUNT}/static-creds/${APP.name}`,
            `${MOUNT}/static-creds/${OTHER.name}`,
            `${MOUNT}/static-roles/${APP.name}`,
            `${MOUNT}/config/${CONNECTION}`,
            "sys/mounts",
            `sys/policies/acl/${POLICY_KV}`,
        ]) {
            const r = await root.read(path);
            expect(r.status, `root read ${path}: ${r.errors.join("; ")}`).toBe(200);
        }
        expect((await root.list("sys/policies/acl")).status).toBe(200);
        expect((await root.list(`${KV_MOUNT}/metadata/`)).status).toBe(200);
    });

    it("the KV read policy reads exactly its one secret and nothing else", async () => {
        const r = await tokens.kv!.read(`${KV_MOUNT}/data/${SECRET_PATH}`);
        expect(r.status).toBe(200);
        expect(r.body.data.data.path).toBe(SECRET_PATH);

        await run([
            { who: "kv", op: "read", path: `${KV_MOUNT}/data/${SECRET_PATH}`, expect: "allow" },
            { who: "kv", op: "write", path: `${KV_MOUNT}/data/${SECRET_PATH}`, body: { data: { password: "overwritten" } }, expect: "deny" },
            { who: "kv", op: "delete", path: `${KV_MOUNT}/data/${SECRET_PATH}`, expect: "deny" },
            { who: "kv", op: "write", path: `${KV_MOUNT}/delete/${SECRET_PATH}`, body: { versions: [1] }, expect: "deny" },
            { who: "kv", op: "write", path: `${KV_MOUNT}/destroy/${SECRET_PATH}`, body: { versions: [1] }, expect: "deny" },
            { who: "kv", op: "write", path: `${KV_MOUNT}/undelete/${SECRET_PATH}`, body: { versions: [1] }, expect: "deny" },
            // other KV paths
            { who: "kv", op: "read", path: `${KV_MOUNT}/data/${OTHER_SECRET_PATH}`, expect: "deny" },
            { who: "kv", op: "read", path: `${KV_MOUNT}/data/${SIBLING_SECRET_PATH}`, expect: "deny" },
            { who: "kv", op: "write", path: `${KV_MOUNT}/data/${OTHER_SECRET_PATH}`, body: { data: { x: "y" } }, expect: "deny" },
            // metadata
            { who: "kv", op: "read", path: `${KV_MOUNT}/metadata/${SECRET_PATH}`, expect: "deny" },
            { who: "kv", op: "list", path: `${KV_MOUNT}/metadata/`, expect: "deny" },
            { who: "kv", op: "list", path: `${KV_MOUNT}/metadata/keycloak-postgresql/`, expect: "deny" },
            { who: "kv", op: "delete", path: `${KV_MOUNT}/metadata/${SECRET_PATH}`, expect: "deny" },
            { who: "kv", op: "read", path: `${KV_MOUNT}/config`, expect: "deny" },
            // database
            { who: "kv", op: "read", path: `${MOUNT}/static-creds/${APP.name}`, expect: "deny" },
            { who: "kv", op: "read", path: `${MOUNT}/static-creds/${OTHER.name}`, expect: "deny" },
            // sys
            { who: "kv", op: "list", path: "sys/policies/acl", expect: "deny" },
            { who: "kv", op: "read", path: `sys/policies/acl/${POLICY_KV}`, expect: "deny" },
            { who: "kv", op: "write", path: `sys/policies/acl/${POLICY_KV}`, body: { policy: 'path "*" { capabilities = ["sudo"] }' }, expect: "deny" },
            { who: "kv", op: "read", path: "sys/mounts", expect: "deny" },
            { who: "kv", op: "write", path: "sys/mounts/vk-escape", body: { type: "kv" }, expect: "deny" },
            { who: "kv", op: "read", path: "sys/auth", expect: "deny" },
        ]);

        // The denied write/delete really changed nothing.
        const after = await root.read(`${KV_MOUNT}/data/${SECRET_PATH}`);
        expect(after.body.data.data.password).not.toBe("overwritten");
        expect(after.body.data.metadata.version).toBe(1);
        expect(after.body.data.metadata.deletion_time).toBe("");
    });

    it("the static-creds policy reads only its own role's credentials", async () => {
        const app = await tokens.appCreds!.read(`${MOUNT}/static-creds/${APP.name}`);
        expect(app.status).toBe(200);
        expect(app.body.data.username).toBe(APP.databaseRole);
        expect(typeof app.body.data.password).toBe("string");

        const db = MOUNT;
        await run([
            { who: "appCreds", op: "read", path: `${db}/static-creds/${APP.name}`, expect: "allow" },
            { who: "appCreds", op: "read", path: `${db}/static-creds/${OTHER.name}`, expect: "deny" },
            { who: "appCreds", op: "write", path: `${db}/static-creds/${APP.name}`, body: {}, expect: "deny" },
            { who: "appCreds", op: "write", path: `${db}/rotate-role/${APP.name}`, body: {}, expect: "deny" },
            { who: "appCreds", op: "read", path: `${db}/static-roles/${APP.name}`, expect: "deny" },
            { who: "appCreds", op: "write", path: `${db}/static-roles/${APP.name}`, body: { db_name: CONNECTION, username: "postgres", rotation_period: 86400 }, expect: "deny" },
            { who: "appCreds", op: "list", path: `${db}/static-roles`, expect: "deny" },
            { who: "appCreds", op: "read", path: `${db}/config/${CONNECTION}`, expect: "deny" },
            { who: "appCreds", op: "write", path: `${db}/rotate-root/${CONNECTION}`, body: {}, expect: "deny" },
            { who: "appCreds", op: "read", path: `${KV_MOUNT}/data/${SECRET_PATH}`, expect: "deny" },
            { who: "appCreds", op: "list", path: "sys/policies/acl", expect: "deny" },
            { who: "appCreds", op: "read", path: "sys/mounts", expect: "deny" },
            { who: "otherCreds", op: "read", path: `${db}/static-creds/${OTHER.name}`, expect: "allow" },
            { who: "otherCreds", op: "read", path: `${db}/static-creds/${APP.name}`, expect: "deny" },
            { who: "otherCreds", op: "write", path: `${db}/rotate-role/${OTHER.name}`, body: {}, expect: "deny" },
            { who: "otherCreds", op: "read", path: `${KV_MOUNT}/data/${SECRET_PATH}`, expect: "deny" },
            { who: "otherCreds", op: "read", path: "sys/mounts", expect: "deny" },
        ]);
    });

    it("the policies on the server are byte-for-byte the rendered HCL", async () => {
        const expected: Record<string, string> = {
            [POLICY_KV]: renderPolicyHcl(kvReadPolicyRules(KV_MOUNT, SECRET_PATH)),
            [POLICY_APP_CREDS]: applicationPolicyHcl(applicationAccess(DB, APP)),
            [POLICY_OTHER_CREDS]: applicationPolicyHcl(applicationAccess(DB, OTHER)),
        };
        for (const [name, hcl] of Object.entries(expected)) {
            const r = await root.read(`sys/policies/acl/${name}`);
            expect(r.status).toBe(200);
            expect(r.body.data.policy).toBe(hcl);
        }
    });
});
