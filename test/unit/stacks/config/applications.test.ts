/** stacks/config/applications.ts: `vaultkit:applications` and `vaultkit:externalApplications`: identities, roles on the connection, delivery patterns. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { inClusterVault, valid, type Case, itRefusesEach } from "./fixtures";

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
