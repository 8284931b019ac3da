/**
 * SQL that StackGres runs through an SGScript (`spec.managedSql`), so roles exist before Vault's
 * database engine verifies its connection and rotates the static role. Every statement is
 * idempotent: StackGres may re-run a script, and the real-server tier runs each twice.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a PostgreSQL role name we are about to splice into SQL. */
export function assertRoleName(roleName: string): void {
    if (!IDENTIFIER.test(roleName)) {
        throw new Error(
            `postgres role name must be lower-case letters, digits and '_' (start with a letter or '_', at most 63 chars), got ${JSON.stringify(roleName)}`,
        );
    }
    if (roleName.startsWith("pg_")) {
        throw new Error(`postgres role name must not start with the reserved prefix 'pg_', got ${JSON.stringify(roleName)}`);
    }
}

/** Quotes a string as a SQL literal (standard_conforming_strings on, the default since 9.1). */
export function sqlLiteral(value: string): string {
    if (value.includes("\u0000")) {
        throw new Error("a SQL literal cannot contain a NUL character");
    }
    return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The application role a Vault static role manages: LOGIN, no password until Vault rotates it,
 * no role/database creation, its own schema, and no CREATE on `public`.
 */
export function appRoleSql(roleName: string): string {
    assertRoleName(roleName);
    return [
        `DO $$`,
        `BEGIN`,
        `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${sqlLiteral(roleName)}) THEN`,
        `    CREATE ROLE ${roleName} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
        `  END IF;`,
        `END`,
        `$$;`,
        `ALTER ROLE ${roleName} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
        `CREATE SCHEMA IF NOT EXISTS ${roleName} AUTHORIZATION ${roleName};`,
        `REVOKE CREATE ON SCHEMA public FROM PUBLIC;`,
        `REVOKE ALL ON SCHEMA public FROM ${roleName};`,
        ``,
    ].join("\n");
}

/**
 * The role Vault's database connection logs in as: it may create roles and change their
 * passwords, but it is not a superuser, so rotation can never clobber the StackGres superuser.
 * On PostgreSQL 16+ CREATEROLE alone no longer lets a role alter others, so it is also granted
 * ADMIN OPTION on each managed role (see `grantManagedRolesSql`).
 *
 * `passwordOwner`: `"pulumi"` (default) re-applies the password on every run, so the one the
 * stack knows stays authoritative. `"vault"` sets it only when the role is created: once Vault has
 * rotated it (`rotate-root`), a re-run of this script must not put the old one back, or Vault
 * loses its connection.
 */
export function vaultAdminRoleSql(roleName: string, password: string, passwordOwner: "pulumi" | "vault" = "pulumi"): string {
    assertRoleName(roleName);
    if (password.length < 16) {
        throw new Error("the Vault admin role password must be at least 16 characters");
    }
    const pw = sqlLiteral(password);
    const flags = "LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS";
    return [
        `DO $$`,
        `BEGIN`,
        `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${sqlLiteral(roleName)}) THEN`,
        `    CREATE ROLE ${roleName} ${flags} PASSWORD ${pw};`,
        `  END IF;`,
        `END`,
        `$$;`,
        passwordOwner === "pulumi" ? `ALTER ROLE ${roleName} ${flags} PASSWORD ${pw};` : `ALTER ROLE ${roleName} ${flags};`,
        ``,
    ].join("\n");
}

/**
 * Lets the Vault admin role manage the given roles on PostgreSQL 16+, where CREATEROLE alone no
 * longer allows altering another role. The grant carries no INHERIT and no SET, so the admin role
 * never gains the app's data privileges. On 15 and older CREATEROLE suffices and nothing is granted.
 */
export function grantManagedRolesSql(adminRole: string, managedRoles: string[]): string {
    assertRoleName(adminRole);
    managedRoles.forEach(assertRoleName);
    if (managedRoles.length === 0) {
        return "";
    }
    const grants = managedRoles
        .map((r) => `    EXECUTE 'GRANT ${r} TO ${adminRole} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE';`)
        .join("\n");
    return [
        `DO $$`,
        `BEGIN`,
        `  IF current_setting('server_version_num')::int >= 160000 THEN`,
        grants,
        `  END IF;`,
        `END`,
        `$$;`,
        ``,
    ].join("\n");
}
