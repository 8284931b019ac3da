/**
 * Real-server tier: the optional rotation of the Vault admin role's password
 * (`database.rotateVaultAdminPassword`: DatabaseSecretsEngine POSTs `<mount>/rotate-root/<connection>`
 * right after writing the connection). The connection is the one the project declares: Vault logs
 * in as the non-superuser admin role the SGScript creates (vaultAdminRoleSql), so rotate-root changes that role's
 * password only; the PostgreSQL superuser is never touched and never needed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateRootEndpointInputs } from "../../components/vault/databaseSecretsData";
import { rotateRootPath } from "../../components/vault/paths";
import { parseStackConfig } from "../../stacks/config";
import { databaseSecretsEngineArgs } from "../../stacks/vaultArgs";
import { adminRole, applyRoleSql, connectionInputs, connectionName, engineMount, provisionDatabaseEngine, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { integrationEnv, pgTitle, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connect, connectSuperuser, loginState, type PgClient, rolpassword } from "./support/pg";
import { VaultApi } from "./support/vaultApi";
import { endpointWrite } from "./support/vaultResources";

const env = integrationEnv();

const INVALID_PASSWORD = "28P01";

/** A stack that opts in to the rotation; names come from the parsed config. */
const CONFIG = parseStackConfig("admin-rotation", {
    platform: "openshift",
    vault: { address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" },
    database: { vaultAdminRole: "vk_rot_vault_admin", rotateVaultAdminPassword: true, databaseMount: "database-rot" },
    applications: [{ name: "payroll", namespace: "hr", serviceAccount: "payroll-api", databaseRole: "vk_rot_payroll" }],
});

const SPEC: DatabaseEngineSpec = { config: CONFIG, adminPassword: randomPassword() };
const APP = CONFIG.applications[0]!;
const MOUNT = engineMount(SPEC);
const CONNECTION = connectionName(SPEC);
const ADMIN = adminRole(SPEC);

describe.skipIf(!env)(env ? `rotate-root of the Vault admin role on a real ${pgTitle()}` : `rotate-root of the Vault admin role — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let su: PgClient | undefined;
    let checks = 0;
    /** Verifiers before any rotation. */
    let before: { admin: string; superuser: string; app: string };

    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    async function appCreds(): Promise<{ username: string; password: string }> {
        const body = await root.must("read", `${MOUNT}/static-creds/${APP.name}`);
        return { username: body.data.username, password: body.data.password };
    }

    /** The Endpoint DatabaseSecretsEngine declares when the stack opts in (rotateRootCredentials), written as the provider does. */
    async function rotateRoot(): Promise<void> {
        check(databaseSecretsEngineArgs(CONFIG, e.pg, SPEC.adminPassword).rotateRootCredentials).toBe(true);
        const w = endpointWrite(rotateRootEndpointInputs(rotateRootPath(MOUNT, CONNECTION)));
        const r = await root.write(w.path, w.body);
        check(r.status, `rotate-root: ${r.errors.join("; ")}`).toBeGreaterThanOrEqual(200);
        check(r.status).toBeLessThan(300);
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        su = await connectSuperuser(e);
        await teardownDatabaseEngine(root, su, SPEC); // a crashed earlier run may have left it
        await provisionDatabaseEngine(root, su, e, SPEC);
        before = { admin: await rolpassword(su!, ADMIN), superuser: await rolpassword(su!, e.pg.superuser), app: await rolpassword(su!, APP.databaseRole) };
    });

    afterAll(async () => {
        console.log(`[integration] admin rotation: ${checks} checks`);
        try {
            await teardownDatabaseEngine(root, su, SPEC);
        } finally {
            await su?.end();
        }
    });

    it("the project opts in per stack, and the connection Vault would rotate is the admin role's, not the superuser's", async () => {
        check(CONFIG.database.rotateVaultAdminPassword).toBe(true);
        check(parseStackConfig("default", { platform: "openshift", vault: { address: "https://v.example.com", routeHost: "v.example.com" } }).database.rotateVaultAdminPassword).toBe(false);

        const cfg = await root.must("read", `${MOUNT}/config/${CONNECTION}`);
        check(cfg.data.connection_details.username).toBe(ADMIN);
        check(cfg.data.connection_details.username).not.toBe(e.pg.superuser);
        check(cfg.data.connection_details.username).toBe(connectionInputs(e, SPEC).postgresql.username);
        check(cfg.data.allowed_roles).toEqual([APP.name]);
        // Control for the "old password fails" check below: before the rotation it works.
        check(await loginState(e.pg, ADMIN, SPEC.adminPassword)).toBe("ok");
        const attrs = await su!.query("select rolsuper, rolcreaterole from pg_roles where rolname = $1", [ADMIN]);
        check(attrs.rows).toEqual([{ rolsuper: false, rolcreaterole: true }]);
    });

    it("rotate-root replaces the admin password with one only Vault knows, and touches nothing else", async () => {
        await rotateRoot();

        check(await loginState(e.pg, ADMIN, SPEC.adminPassword), "the old admin password").toBe(INVALID_PASSWORD);
        const adminAfter = await rolpassword(su!, ADMIN);
        check(adminAfter).not.toBe(before.admin);
        check(adminAfter).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);

        // The superuser: same verifier, same password still logs in.
        check(await rolpassword(su!, e.pg.superuser)).toBe(before.superuser);
        check(await loginState(e.pg, e.pg.superuser, e.pg.superuserPassword)).toBe("ok");
        // The app's password is not rotate-root's business.
        check(await rolpassword(su!, APP.databaseRole)).toBe(before.app);
        // Only the password changed: still no superuser.
        const attrs = await su!.query("select rolsuper, rolcreaterole, rolcanlogin from pg_roles where rolname = $1", [ADMIN]);
        check(attrs.rows).toEqual([{ rolsuper: false, rolcreaterole: true, rolcanlogin: true }]);

        // Vault still connects as the admin role and never reveals the new password.
        const cfg = await root.must("read", `${MOUNT}/config/${CONNECTION}`);
        check(cfg.data.connection_details.username).toBe(ADMIN);
        check(cfg.data.connection_details.password).toBeUndefined();
        check(JSON.stringify(cfg)).not.toContain(SPEC.adminPassword);
    });

    it("after rotate-root Vault still rotates the app's static role, and the new app password works", async () => {
        const old = await appCreds();
        check(await loginState(e.pg, old.username, old.password)).toBe("ok");

        const r = await root.write(`${MOUNT}/rotate-role/${APP.name}`, {});
        check(r.status, `rotate-role: ${r.errors.join("; ")}`).toBe(204);
        const fresh = await appCreds();
        check(fresh.username).toBe(APP.databaseRole);
        check(fresh.password).not.toBe(old.password);
        check(await rolpassword(su!, APP.databaseRole)).not.toBe(before.app);
        check(await rolpassword(su!, APP.databaseRole)).toMatch(/^SCRAM-SHA-256\$/);
        check(await loginState(e.pg, APP.databaseRole, old.password)).toBe(INVALID_PASSWORD);
        const app = await connect(e.pg, fresh.username, fresh.password);
        try {
            check((await app.query("select current_user as who")).rows).toEqual([{ who: APP.databaseRole }]);
        } finally {
            await app.end();
        }
    });

    it("rotate-root can run again (Vault logs in with the password it set) and the superuser is still untouched", async () => {
        const adminBefore = await rolpassword(su!, ADMIN);
        await rotateRoot();
        check(await rolpassword(su!, ADMIN)).not.toBe(adminBefore);

        const old = await appCreds();
        check((await root.write(`${MOUNT}/rotate-role/${APP.name}`, {})).status).toBe(204);
        const fresh = await appCreds();
        check(fresh.password).not.toBe(old.password);
        check(await loginState(e.pg, APP.databaseRole, fresh.password)).toBe("ok");

        check(await rolpassword(su!, e.pg.superuser)).toBe(before.superuser);
        check(await loginState(e.pg, e.pg.superuser, e.pg.superuserPassword)).toBe("ok");
    });

    it("StackGres re-running the admin SQL (Vault owns the password) leaves Vault's rotated password in place", async () => {
        const rotated = await rolpassword(su!, ADMIN);
        // What the SGScript runs when the stack sets rotateVaultAdminPassword: idempotent, no password reset.
        await applyRoleSql(su!, SPEC);
        await applyRoleSql(su!, SPEC);
        check(await rolpassword(su!, ADMIN)).toBe(rotated);
        check(await loginState(e.pg, ADMIN, SPEC.adminPassword)).toBe(INVALID_PASSWORD);
        const r = await root.write(`${MOUNT}/rotate-role/${APP.name}`, {});
        check(r.status, `rotate-role after the SQL re-ran: ${r.errors.join("; ")}`).toBe(204);
        check(await loginState(e.pg, APP.databaseRole, (await appCreds()).password)).toBe("ok");
        const flags = await su!.query("select rolsuper, rolcreaterole, rolcanlogin from pg_roles where rolname = $1", [ADMIN]);
        check(flags.rows).toEqual([{ rolsuper: false, rolcreaterole: true, rolcanlogin: true }]);
    });
});
