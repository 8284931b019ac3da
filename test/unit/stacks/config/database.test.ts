/** stacks/config/database.ts: `vaultkit:database` and `vaultkit:databaseAdminPassword`, derived names, and the rules between them. */
import { describe, expect, it } from "vitest";
import { adminRoleBinding, adminSyncServiceAccountName, connectionRoles, derivedDatabaseNames, parseStackConfig } from "../../../../stacks/config";
import { type Accepted, type Case, type ExactCase, itAcceptsEach, itRefusesEach, itRefusesEachExactly, itRefusesEachPlatformOwned, platformOwned, problemsOf, type Refusal, valid } from "./fixtures";

describe("valid database config", () => {
    it("accepts a PostgreSQL major written as a number, as YAML and `pulumi config set --path` write it", () => {
        const raw = valid();
        raw.database = { postgresVersion: 16 };
        expect(parseStackConfig("dev", raw).database.postgresVersion).toBe("16");
    });

    it("names the database's Vault and Kubernetes objects after clusterName unless a name is given", () => {
        const raw = valid();
        raw.database = { clusterName: "orders-pg", adminAuthRole: "orders-login" };
        expect(parseStackConfig("t", raw).database).toMatchObject({
            connectionName: "orders-pg",
            adminSecretPath: "orders-pg/config",
            adminPolicyName: "orders-pg-policy",
            adminAuthRole: "orders-login",
            syncedSecretName: "orders-pg-vault",
        });
    });
});

const cases: Case[] = [
    ["database namespace with underscore", (r) => (r.database = { namespace: "rh_bk" }), "vaultkit:database.namespace", /Kubernetes namespace/],
    ["kv mount with a slash", (r) => (r.database = { kvMount: "kv/v2" }), "vaultkit:database.kvMount", /mount path/],
    ["secret path with a wildcard", (r) => (r.database = { adminSecretPath: "keycloak/*" }), "vaultkit:database.adminSecretPath", /no wildcards/],
    ["admin token TTL too long", (r) => (r.database = { adminTokenTtl: "800h" }), "vaultkit:database.adminTokenTtl", /from 60s to 2764800s/],
    ["VSO refresh too short", (r) => (r.database = { refreshAfter: "1s" }), "vaultkit:database.refreshAfter", /from 5s/],
    ["non-default port for StackGres", (r) => (r.database = { port: 6432 }), "vaultkit:database.port", /always listens on 5432/],
    ["volume size not a quantity", (r) => (r.database = { volumeSize: "5 GB" }), "vaultkit:database.volumeSize", /quantity/],
    ["postgres minor version as a number", (r) => (r.database = { postgresVersion: 15.6 }), "vaultkit:database.postgresVersion", /as a string, like '15.6'/],
    ["postgres version out of range", (r) => (r.database = { postgresVersion: 11 }), "vaultkit:database.postgresVersion", /12 to 18/],
    ["instances as a string", (r) => (r.database = { instances: "3" }), "vaultkit:database.instances", /a number/],
    ["synced secret named like the cluster", (r) => (r.database = { syncedSecretName: "keycloak-postgresql" }), "vaultkit:database.syncedSecretName", /StackGres creates and owns/],
    ["existing database without host", (r) => (r.database = { mode: "existing" }), "vaultkit:database.host", /PostgreSQL host/],
    ["existing database without the admin password", (r) => (r.database = { mode: "existing", host: "db" }), "vaultkit:databaseAdminPassword", /password of the existing 'vault_admin' role/],
    ["admin password given for StackGres", (r) => (r.databaseAdminPassword = "0123456789abcdefgh"), "vaultkit:databaseAdminPassword", /generates it/],
    ["admin password too short", (r) => ((r.database = { mode: "existing", host: "db" }), (r.databaseAdminPassword = "short")), "vaultkit:databaseAdminPassword", /at least 16/],
    ["the admin role bound to 'default' in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.database = { adminServiceAccounts: ["default"] })), "vaultkit:database.adminServiceAccounts", /no 'default' in a stack marked production/, { vaultToken: "t" }],
];

describe("bad database input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("database with vault.configure false", () => {
    it("accept StackGres with the admin password the Vault owner's connection uses", () => {
        expect(parseStackConfig("t", platformOwned()).databaseAdminPassword).toBe("owner-given-admin-password-0123");
    });

    it("accept an existing database with no admin password when Vault is configured elsewhere", () => {
        const raw = platformOwned();
        raw.database = { mode: "existing", host: "pg.example.com" };
        delete raw.databaseAdminPassword;
        expect(parseStackConfig("t", raw).database.mode).toBe("existing");
    });

    const refusals: Refusal[] = [
            ["StackGres without the password the Vault owner's connection uses", (r) => delete r.databaseAdminPassword, "vaultkit:databaseAdminPassword", /Vault's database connection uses for 'vault_admin'.*StackGres creates the role with it/],
            ["an existing database with a password nothing would use", (r) => (r.database = { mode: "existing", host: "pg.example.com" }), "vaultkit:databaseAdminPassword", /only Vault's database connection uses it/],
    ];
    itRefusesEachPlatformOwned(refusals);
});

describe("database schema, word for word", () => {
    it("fills every default of a StackGres database", () => {
        expect(parseStackConfig("dev", valid()).database).toEqual({
            mode: "stackgres",
            namespace: "rhbk",
            clusterName: "keycloak-postgresql",
            instances: 1,
            postgresVersion: "15",
            volumeSize: "5Gi",
            port: 5432,
            database: "postgres",
            sslMode: "require",
            kvMount: "kv-v2",
            adminServiceAccounts: [],
            adminTokenTtl: 86400,
            refreshAfter: 30,
            databaseMount: "database",
            vaultAdminRole: "vault_admin",
            rotateVaultAdminPassword: false,
            adminSecretPath: "keycloak-postgresql/config",
            adminPolicyName: "keycloak-postgresql-policy",
            adminAuthRole: "keycloak-postgresql-admin",
            syncedSecretName: "keycloak-postgresql-vault",
            connectionName: "keycloak-postgresql",
        });
    });

    const db = (d: Record<string, unknown>) => (r: Record<string, any>) => (r.database = d);
    const existing = (d: Record<string, unknown>) => (r: Record<string, any>) => ((r.database = { mode: "existing", host: "db", ...d }), (r.databaseAdminPassword = "0123456789abcdef"));
    const exact: ExactCase[] = [
        ["mode", db({ mode: "cloud" }), "vaultkit:database.mode", "expected one of 'stackgres', 'existing'", '"cloud"'],
        ["instances as a string", db({ instances: "3" }), "vaultkit:database.instances", "expected a number", '"3"'],
        ["instances not whole", db({ instances: 1.5 }), "vaultkit:database.instances", "expected a whole number", "1.5"],
        ["no instances", db({ instances: 0 }), "vaultkit:database.instances", "expected at least 1 instance", "0"],
        ["17 instances", db({ instances: 17 }), "vaultkit:database.instances", "expected at most 16 instances", "17"],
        ["volume size as a number", db({ volumeSize: 5 }), "vaultkit:database.volumeSize", "expected a string", "5"],
        ["volume size not a quantity", db({ volumeSize: "5 GB" }), "vaultkit:database.volumeSize", "expected a Kubernetes quantity like '5Gi'", '"5 GB"'],
        ["host with a blank", existing({ host: "db host" }), "vaultkit:database.host", "expected a host name or IPv4 address", '"db host"'],
        ["host with an underscore", existing({ host: "db_host" }), "vaultkit:database.host", "expected a host name or IPv4 address", '"db_host"'],
        ["port as a string", existing({ port: "5432" }), "vaultkit:database.port", "expected a number", '"5432"'],
        ["port not whole", existing({ port: 5432.5 }), "vaultkit:database.port", "expected a whole number", "5432.5"],
        ["port 0", existing({ port: 0 }), "vaultkit:database.port", "expected a port from 1 to 65535", "0"],
        ["port 65536", existing({ port: 65536 }), "vaultkit:database.port", "expected a port from 1 to 65535", "65536"],
        ["database name starting with a digit", db({ database: "1db" }), "vaultkit:database.database", "expected a database name", '"1db"'],
        ["database name with a blank", db({ database: "my db" }), "vaultkit:database.database", "expected a database name", '"my db"'],
        ["sslMode", db({ sslMode: "strict" }), "vaultkit:database.sslMode", "expected a libpq sslmode", '"strict"'],
        ["adminServiceAccounts not a list", db({ adminServiceAccounts: "default" }), "vaultkit:database.adminServiceAccounts", "expected a list of service account names", '"default"'],
        ["rotateVaultAdminPassword", db({ rotateVaultAdminPassword: "yes" }), "vaultkit:database.rotateVaultAdminPassword", "expected true or false", '"yes"'],
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ["mode written out as its default", db({ mode: "stackgres" })],
        ["1 instance", db({ instances: 1 })],
        ["16 instances", db({ instances: 16 })],
        ["a host name and an IPv4 address", existing({ host: "Pg-1.example.com" })],
        ["an IPv4 address", existing({ host: "10.0.0.5" })],
        ["port 1", existing({ port: 1 })],
        ["port 65535", existing({ port: 65535 })],
        ["a database name of every allowed character", db({ database: "_My$db-1" })],
        ...(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].map((sslMode): Accepted => [`sslMode ${sslMode}`, db({ sslMode })])),
        ["rotateVaultAdminPassword", db({ rotateVaultAdminPassword: true })],
        ["an existing database without applications needs no admin password", (r) => ((r.database = { mode: "existing", host: "db", port: 6432 }), (r.applications = []))],
        ["'default' in the admin role's service accounts outside production", db({ adminServiceAccounts: ["default"] })],
    ];
    itAcceptsEach(accepted);

    it("keeps rotateVaultAdminPassword and an existing database's port", () => {
        const raw = valid();
        existing({ port: 6432, rotateVaultAdminPassword: true })(raw);
        expect(parseStackConfig("t", raw).database).toMatchObject({ mode: "existing", host: "db", port: 6432, rotateVaultAdminPassword: true });
    });
});

describe("derivedDatabaseNames", () => {
    it("derives every name from clusterName, and keeps each name given", () => {
        expect(derivedDatabaseNames({ clusterName: "c" })).toEqual({ adminSecretPath: "c/config", adminPolicyName: "c-policy", adminAuthRole: "c-admin", syncedSecretName: "c-vault", connectionName: "c" });
        const given = { adminSecretPath: "p/q", adminPolicyName: "pol", adminAuthRole: "role", syncedSecretName: "sec", connectionName: "conn" };
        expect(derivedDatabaseNames({ clusterName: "c", ...given })).toEqual(given);
    });
});

describe("connectionRoles", () => {
    it("lists this stack's applications, then the external ones", () => {
        const raw = valid();
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "two", databaseRole: "two_role" });
        raw.externalApplications = [{ name: "ext", databaseRole: "ext_role" }];
        expect(connectionRoles(parseStackConfig("t", raw))).toEqual({ staticRoleNames: ["app", "two", "ext"], databaseRoles: ["app", "two_role", "ext_role"] });
    });
});

describe("adminRoleBinding", () => {
    const binding = (change: (r: Record<string, any>) => void) => {
        const raw = valid();
        change(raw);
        return adminRoleBinding(parseStackConfig("t", raw));
    };

    it("binds the admin sync's service account in the database's namespace (StackGres)", () => {
        expect(adminSyncServiceAccountName("pg")).toBe("pg-vault-sync");
        expect(binding(() => undefined)).toEqual({ serviceAccounts: ["keycloak-postgresql-vault-sync"], namespaces: ["rhbk"] });
    });

    it("binds no admin sync for an existing database, only the accounts listed", () => {
        expect(binding((r) => ((r.database = { mode: "existing", host: "db", adminServiceAccounts: ["ops"] }), (r.databaseAdminPassword = "0123456789abcdef")))).toEqual({ serviceAccounts: ["ops"], namespaces: ["rhbk"] });
    });

    it("adds the debug workloads' service account and namespace when one is on, each once", () => {
        expect(binding((r) => ((r.debugWorkloads = { direct: true, namespace: "debug" }), (r.database = { adminServiceAccounts: ["keycloak-postgresql-vault-sync", "ops"] })))).toEqual({
            serviceAccounts: ["keycloak-postgresql-vault-sync", "keycloak-postgresql-vault-debug", "ops"],
            namespaces: ["rhbk", "debug"],
        });
        expect(binding((r) => (r.debugWorkloads = { csi: true, namespace: "rhbk" }))).toEqual({
            serviceAccounts: ["keycloak-postgresql-vault-sync", "keycloak-postgresql-vault-debug"],
            namespaces: ["rhbk"],
        });
        expect(binding((r) => (r.debugWorkloads = { injector: true }))).toEqual({
            serviceAccounts: ["keycloak-postgresql-vault-sync", "keycloak-postgresql-vault-debug"],
            namespaces: ["rhbk"],
        });
    });

    it("ignores the debug namespace while every debug workload is off", () => {
        expect(binding((r) => (r.debugWorkloads = { namespace: "debug" }))).toEqual({ serviceAccounts: ["keycloak-postgresql-vault-sync"], namespaces: ["rhbk"] });
    });
});

describe("database rules, word for word", () => {
    const MISSING = "nothing (the key is missing)";
    const exact: ExactCase[] = [
        ["existing database without a host", (r) => (r.database = { mode: "existing" }), "vaultkit:database.host", "expected the PostgreSQL host when database.mode is 'existing'", MISSING],
        [
            "existing database without the admin password",
            (r) => (r.database = { mode: "existing", host: "db" }),
            "vaultkit:databaseAdminPassword",
            "expected the password of the existing 'vault_admin' role when database.mode is 'existing': `pulumi config set --secret vaultkit:databaseAdminPassword ...`",
            MISSING,
        ],
        [
            "existing database serving only external applications, without the admin password",
            (r) => ((r.database = { mode: "existing", host: "db", vaultAdminRole: "vault_root" }), (r.applications = []), (r.externalApplications = [{ name: "ext", databaseRole: "ext" }])),
            "vaultkit:databaseAdminPassword",
            "expected the password of the existing 'vault_root' role when database.mode is 'existing': `pulumi config set --secret vaultkit:databaseAdminPassword ...`",
            MISSING,
        ],
        [
            "admin password for StackGres",
            (r) => (r.databaseAdminPassword = "0123456789abcdefgh"),
            "vaultkit:databaseAdminPassword",
            "expected no password when database.mode is 'stackgres' (the program generates it and StackGres creates the role)",
            "[secret]",
        ],
        ["a host for StackGres", (r) => (r.database = { host: "db" }), "vaultkit:database.host", "expected no host when database.mode is 'stackgres' (the primary service name is derived from clusterName)", '"db"'],
        ["another port for StackGres", (r) => (r.database = { port: 6432 }), "vaultkit:database.port", "expected 5432 when database.mode is 'stackgres' (the StackGres primary Service always listens on 5432)", "6432"],
        [
            "synced Secret named like the cluster",
            (r) => (r.database = { clusterName: "pg", syncedSecretName: "pg" }),
            "vaultkit:database.syncedSecretName",
            "expected a name different from database.clusterName ('pg'): StackGres creates and owns a Secret of that name",
            '"pg"',
        ],
        [
            "'default' bound by the admin role in production",
            (r) => ((r.production = true), (r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealConfig = 'seal "transit" {}'), (r.database = { adminServiceAccounts: ["ops", "default"] })),
            "vaultkit:database.adminServiceAccounts",
            "expected no 'default' in a stack marked production: every pod in the bound namespaces that names no service account of its own could read the PostgreSQL superuser password (the admin sync logs in with a service account this stack creates)",
            '["ops","default"]',
            { vaultToken: "t" },
        ],
    ];
    itRefusesEachExactly(exact);

    it("refuses, word for word, the admin password a platform-owned Vault's connection needs or never uses", () => {
        const stackgres = platformOwned();
        stackgres.database = { vaultAdminRole: "vault_root" };
        delete stackgres.databaseAdminPassword;
        expect(problemsOf(stackgres)).toEqual([
            {
                key: "vaultkit:databaseAdminPassword",
                expected:
                    "expected the password Vault's database connection uses for 'vault_root' when vault.configure is false and database.mode is 'stackgres' (its owner set it; StackGres creates the role with it): `pulumi config set --secret vaultkit:databaseAdminPassword ...`",
                given: MISSING,
            },
        ]);
        const existingDb = platformOwned();
        existingDb.database = { mode: "existing", host: "pg.example.com" };
        expect(problemsOf(existingDb)).toEqual([
            {
                key: "vaultkit:databaseAdminPassword",
                expected: "expected no password when vault.configure is false and database.mode is 'existing' (only Vault's database connection uses it, and its owner configures that)",
                given: "[secret]",
            },
        ]);
    });
});
