/** stacks/config/applications.ts: `vaultkit:applications` and `vaultkit:externalApplications`: identities, roles on the connection, delivery patterns. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { type Accepted, type Case, type ExactCase, inClusterVault, itAcceptsEach, itRefusesEach, itRefusesEachExactly, problemsOf, valid } from "./fixtures";

describe("valid applications config", () => {
    it("lets csi and injector apps use an existing Vault whose CSI provider and injector the user says are installed", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vault.csiProvider = true;
        raw.vault.injector = true;
        raw.applications[0].delivery = "csi";
        raw.applications.push({ name: "reports", namespace: "reports", serviceAccount: "reports", databaseRole: "reports", delivery: "injector" });
        expect(parseStackConfig("t", raw, { vaultToken: "hvs.t" }).applications.map((a) => a.delivery)).toEqual(["csi", "injector"]);
    });
});

const cases: Case[] = [
    ["applications not a list", (r) => (r.applications = { name: "app" }), "vaultkit:applications", /list of applications/],
    ["application without a namespace", (r) => delete r.applications[0].namespace, "vaultkit:applications[0].namespace", /expected a string/],
    ["rotation period too short", (r) => (r.applications[0].rotationPeriod = "30s"), "vaultkit:applications[0].rotationPeriod", /from 60s/],
    ["rotation period unparseable", (r) => (r.applications[0].rotationPeriod = "daily"), "vaultkit:applications[0].rotationPeriod", /duration/],
    ["rotation period over a year", (r) => (r.applications[0].rotationPeriod = "400d"), "vaultkit:applications[0].rotationPeriod", /to 31536000s/],
    ["database role with the pg_ prefix", (r) => (r.applications[0].databaseRole = "pg_app"), "vaultkit:applications[0].databaseRole", /reserved prefix/],
    ["database role is the superuser", (r) => (r.applications[0].databaseRole = "postgres"), "vaultkit:applications[0].databaseRole", /not the superuser/],
    ["unknown delivery pattern", (r) => (r.applications[0].delivery = "env"), "vaultkit:applications[0].delivery", /'sync', 'csi', 'injector', 'direct'/],
    ["duplicate application names", (r) => r.applications.push({ ...r.applications[0], databaseRole: "other" }), "vaultkit:applications[1].name", /unique application name/],
    ["two applications sharing a role", (r) => r.applications.push({ ...r.applications[0], name: "app2" }), "vaultkit:applications[1].databaseRole", /no other application uses/],
    ["image pinned to latest", (r) => (r.applications[0].image = "registry.example.com/app:latest"), "vaultkit:applications[0].image", /not ':latest'/],
    ["image without a tag", (r) => (r.applications[0].image = "registry.example.com/app"), "vaultkit:applications[0].image", /pinned to a tag or digest/],
    ["csi delivery with the CSI provider off", (r) => ((r.vault.csiProvider = false), (r.applications[0].delivery = "csi")), "vaultkit:applications[0].delivery", /csiProvider is false/],
    [
        "two applications running as the same service account",
        (r) => r.applications.push({ name: "reports", namespace: "rhbk", serviceAccount: "app", databaseRole: "reports" }),
        "vaultkit:applications[1].serviceAccount",
        /applications\[1\] \('reports'\) and applications\[0\] \('app'\) both run as rhbk\/app/,
    ],
    [
        "an application running as the admin sync's service account",
        (r) => (r.applications[0].serviceAccount = "keycloak-postgresql-vault-sync"),
        "vaultkit:applications[0].serviceAccount",
        /applications\[0\] \('app'\) runs as rhbk\/keycloak-postgresql-vault-sync, which the admin credentials role 'keycloak-postgresql-admin' binds/,
    ],
    [
        "an application running as a service account listed for the admin role",
        (r) => ((r.database = { adminServiceAccounts: ["default"] }), (r.applications[0].serviceAccount = "default")),
        "vaultkit:applications[0].serviceAccount",
        /runs as rhbk\/default, which the admin credentials role .* binds \(service accounts keycloak-postgresql-vault-sync, default in rhbk\)/,
    ],
    ["external application named like an application", (r) => (r.externalApplications = [{ name: "app", databaseRole: "team_b_app" }]), "vaultkit:externalApplications[0].name", /'app' is already used by applications\[0\]/],
    ["external application sharing a database role", (r) => (r.externalApplications = [{ name: "team-b-app", databaseRole: "app" }]), "vaultkit:externalApplications[0].databaseRole", /'app' belongs to applications\[0\]/],
    ["external application managing the Vault admin role", (r) => (r.externalApplications = [{ name: "team-b-app", databaseRole: "vault_admin" }]), "vaultkit:externalApplications[0].databaseRole", /not the superuser, replication, authenticator or Vault admin role/],
    ["csi app with an existing Vault whose CSI provider nobody installs", (r) => (inClusterVault(r), (r.applications[0].delivery = "csi")), "vaultkit:applications[0].delivery", /nothing here installs the Vault CSI provider.*vault\.csiProvider true/, { vaultToken: "t" }],
    ["injector app with an existing Vault whose injector nobody installs", (r) => (inClusterVault(r), (r.applications[0].delivery = "injector")), "vaultkit:applications[0].delivery", /nothing here installs the Vault agent injector.*vault\.injector true/, { vaultToken: "t" }],
];

describe("bad applications input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("applications schema, word for word", () => {
    it("fills an application's defaults, and empty lists when none are given", () => {
        const c = parseStackConfig("t", valid());
        expect(c.applications).toEqual([{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: 86400, delivery: "direct", tokenTtl: 3600, deployWorkload: true }]);
        expect(c.externalApplications).toEqual([]);
        const none = valid();
        delete none.applications;
        expect(parseStackConfig("t", none).applications).toEqual([]);
    });

    it("keeps what an application sets", () => {
        const raw = valid();
        Object.assign(raw.applications[0], { rotationPeriod: "1h", delivery: "sync", tokenTtl: "2h", image: "registry.example.com/app:1.0", deployWorkload: false });
        raw.externalApplications = [{ name: "ext", databaseRole: "ext" }];
        const c = parseStackConfig("t", raw);
        expect(c.applications[0]).toEqual({ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: 3600, delivery: "sync", tokenTtl: 7200, image: "registry.example.com/app:1.0", deployWorkload: false });
        expect(c.externalApplications).toEqual([{ name: "ext", databaseRole: "ext" }]);
    });

    const app = (fields: Record<string, unknown>) => (r: Record<string, any>) => Object.assign(r.applications[0], fields);
    const exact: ExactCase[] = [
        ["delivery", app({ delivery: "env" }), "vaultkit:applications[0].delivery", "expected one of 'sync', 'csi', 'injector', 'direct'", '"env"'],
        ["rotation period 59 s", app({ rotationPeriod: 59 }), "vaultkit:applications[0].rotationPeriod", "expected a duration from 60s to 31536000s, which is 59s", "59"],
        ["rotation period a year and a second", app({ rotationPeriod: 31536001 }), "vaultkit:applications[0].rotationPeriod", "expected a duration from 60s to 31536000s, which is 31536001s", "31536001"],
        ["token TTL 59 s", app({ tokenTtl: 59 }), "vaultkit:applications[0].tokenTtl", "expected a duration from 60s to 2764800s, which is 59s", "59"],
        ["token TTL 768 h and a second", app({ tokenTtl: 2764801 }), "vaultkit:applications[0].tokenTtl", "expected a duration from 60s to 2764800s, which is 2764801s", "2764801"],
        ["deployWorkload", app({ deployWorkload: "yes" }), "vaultkit:applications[0].deployWorkload", "expected true or false", '"yes"'],
        ["applications not a list", (r) => (r.applications = "app"), "vaultkit:applications", "expected a list of applications", '"app"'],
        ["externalApplications not a list", (r) => (r.externalApplications = "ext"), "vaultkit:externalApplications", "expected a list of { name, databaseRole }", '"ext"'],
        ["an external application with a key of an application", (r) => (r.externalApplications = [{ name: "ext", databaseRole: "ext", namespace: "x" }]), "vaultkit:externalApplications[0].namespace", "no such key (check the spelling against the README's configuration reference)", '"x"'],
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ["rotation period 60 s", app({ rotationPeriod: 60 })],
        ["rotation period a year", app({ rotationPeriod: "365d" })],
        ["token TTL 60 s", app({ tokenTtl: "1m" })],
        ["token TTL 768 h", app({ tokenTtl: "768h" })],
        ...(["sync", "direct"].map((delivery): Accepted => [`delivery ${delivery}`, app({ delivery })])),
    ];
    itAcceptsEach(accepted);
});

describe("applications rules, word for word", () => {
    const second = (a: Record<string, unknown>) => (r: Record<string, any>) => r.applications.push({ name: "reports", namespace: "rhbk", serviceAccount: "reports", databaseRole: "reports", ...a });
    const notRole = "expected an application role, not the superuser, replication, authenticator or Vault admin role";
    const exact: ExactCase[] = [
        [
            "two applications with one identity",
            second({ serviceAccount: "app" }),
            "vaultkit:applications[1].serviceAccount",
            "expected a namespace and service account of its own: applications[1] ('reports') and applications[0] ('app') both run as rhbk/app, so each could log in as the other and read its credentials",
            '"rhbk/app"',
        ],
        [
            "a third application with the first one's identity",
            (r) => (second({ serviceAccount: "reports" })(r), r.applications.push({ name: "third", namespace: "rhbk", serviceAccount: "app", databaseRole: "third" })),
            "vaultkit:applications[2].serviceAccount",
            "expected a namespace and service account of its own: applications[2] ('third') and applications[0] ('app') both run as rhbk/app, so each could log in as the other and read its credentials",
            '"rhbk/app"',
        ],
        [
            "an application running as the admin sync",
            (r) => (r.applications[0].serviceAccount = "keycloak-postgresql-vault-sync"),
            "vaultkit:applications[0].serviceAccount",
            "expected an identity the admin role does not bind: applications[0] ('app') runs as rhbk/keycloak-postgresql-vault-sync, which the admin credentials role " +
                "'keycloak-postgresql-admin' binds (service accounts keycloak-postgresql-vault-sync in rhbk), so it could read the PostgreSQL superuser password",
            '"rhbk/keycloak-postgresql-vault-sync"',
        ],
        [
            "an application running as a debug workload in the debug namespace",
            (r) => ((r.debugWorkloads = { direct: true, namespace: "debug" }), (r.applications[0].namespace = "debug"), (r.applications[0].serviceAccount = "ops"), (r.database = { adminServiceAccounts: ["ops"] })),
            "vaultkit:applications[0].serviceAccount",
            "expected an identity the admin role does not bind: applications[0] ('app') runs as debug/ops, which the admin credentials role " +
                "'keycloak-postgresql-admin' binds (service accounts keycloak-postgresql-vault-sync, keycloak-postgresql-vault-debug, ops in rhbk, debug), so it could read the PostgreSQL superuser password",
            '"debug/ops"',
        ],
        ["a second application of the same name", second({ name: "app" }), "vaultkit:applications[1].name", "expected a unique application name ('app' is already used by applications[0])", '"app"'],
        ["a second application with the same role", second({ databaseRole: "app" }), "vaultkit:applications[1].databaseRole", "expected a database role no other application uses ('app' belongs to applications[0])", '"app"'],
        ["an external application of an application's name", (r) => (r.externalApplications = [{ name: "app", databaseRole: "ext" }]), "vaultkit:externalApplications[0].name", "expected a unique application name ('app' is already used by applications[0])", '"app"'],
        ["an external application with an application's role", (r) => (r.externalApplications = [{ name: "ext", databaseRole: "app" }]), "vaultkit:externalApplications[0].databaseRole", "expected a database role no other application uses ('app' belongs to applications[0])", '"app"'],
        ...(["postgres", "replicator", "authenticator", "vault_admin"].map((role): ExactCase => [`the ${role} role`, (r) => (r.applications[0].databaseRole = role), "vaultkit:applications[0].databaseRole", notRole, JSON.stringify(role)])),
        ["the Vault admin role by another name", (r) => ((r.database = { vaultAdminRole: "vault_root" }), (r.applications[0].databaseRole = "vault_root")), "vaultkit:applications[0].databaseRole", notRole, '"vault_root"'],
        ["csi delivery with the CSI provider off", (r) => ((r.vault.csiProvider = false), (r.applications[0].delivery = "csi")), "vaultkit:applications[0].delivery", "expected a pattern whose Vault component is enabled (vault.csiProvider is false)", '"csi"'],
    ];
    itRefusesEachExactly(exact);

    it("lists a name used three times against the one before it", () => {
        const raw = valid();
        second({ name: "app" })(raw);
        raw.applications.push({ name: "app", namespace: "rhbk", serviceAccount: "third", databaseRole: "third" });
        expect(problemsOf(raw).map((p) => [p.key, p.expected])).toEqual([
            ["vaultkit:applications[1].name", "expected a unique application name ('app' is already used by applications[0])"],
            ["vaultkit:applications[2].name", "expected a unique application name ('app' is already used by applications[1])"],
        ]);
    });

    const accepted: Accepted[] = [
        ["one service account name in two namespaces", second({ namespace: "reports", serviceAccount: "app" })],
        ["the admin sync's service account name in another namespace", (r) => ((r.applications[0].namespace = "apps"), (r.applications[0].serviceAccount = "keycloak-postgresql-vault-sync"))],
        ["an application in the admin role's namespace with an account of its own", second({})],
        ["the vault_admin role once the Vault admin role has another name", (r) => ((r.database = { vaultAdminRole: "vault_root" }), (r.applications[0].databaseRole = "vault_admin"))],
        ["injector delivery with a deployed Vault's injector on", (r) => (r.applications[0].delivery = "injector")],
    ];
    itAcceptsEach(accepted);
});
