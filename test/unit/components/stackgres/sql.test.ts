import { describe, expect, it } from "vitest";
import { appRoleSql, assertRoleName, grantManagedRolesSql, sqlLiteral, vaultAdminRoleSql } from "../../../../components/stackgres/sql";

const PW = "0123456789abcdef-pw";

describe("role SQL", () => {
    it("creates the app role without a password and without any way to create roles or databases", () => {
        const sql = appRoleSql("app");
        expect(sql).toContain("CREATE ROLE app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;");
        expect(sql).not.toMatch(/PASSWORD/);
        expect(sql).toContain("CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION app;");
        expect(sql).toContain("REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
    });

    it("keeps the Pulumi-known admin password authoritative by default", () => {
        const sql = vaultAdminRoleSql("vault_admin", PW);
        expect(sql).toContain(`CREATE ROLE vault_admin LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD '${PW}';`);
        expect(sql).toContain(`ALTER ROLE vault_admin LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD '${PW}';`);
    });

    it("sets the admin password only at creation when Vault rotates it", () => {
        const sql = vaultAdminRoleSql("vault_admin", PW, "vault");
        expect(sql.match(/PASSWORD/g)).toHaveLength(1);
        expect(sql).toContain(`CREATE ROLE vault_admin LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD '${PW}';`);
        expect(sql).toContain("ALTER ROLE vault_admin LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS;");
    });

    it("quotes literals and refuses identifiers that could inject SQL", () => {
        expect(sqlLiteral("it's")).toBe("'it''s'");
        expect(vaultAdminRoleSql("vault_admin", "pa'ss-0123456789abc")).toContain("PASSWORD 'pa''ss-0123456789abc'");
        expect(() => assertRoleName("app; DROP ROLE postgres")).toThrow(/lower-case letters/);
        expect(() => assertRoleName("App")).toThrow(/lower-case letters/);
        expect(() => assertRoleName("pg_monitor")).toThrow(/reserved prefix/);
        expect(() => vaultAdminRoleSql("vault_admin", "short")).toThrow(/at least 16/);
        expect(() => sqlLiteral("a\u0000b")).toThrow(/NUL/);
    });

    it("grants ADMIN OPTION without INHERIT or SET, on PostgreSQL 16+ only", () => {
        const sql = grantManagedRolesSql("vault_admin", ["app", "reports"]);
        expect(sql).toContain("current_setting('server_version_num')::int >= 160000");
        expect(sql).toContain("GRANT app TO vault_admin WITH ADMIN OPTION, INHERIT FALSE, SET FALSE");
        expect(sql).toContain("GRANT reports TO vault_admin WITH ADMIN OPTION, INHERIT FALSE, SET FALSE");
        expect(grantManagedRolesSql("vault_admin", [])).toBe("");
    });
});
