/** stacks/config/rules.ts: the cross-field rules run together with the schema's, on what the schema accepted when it refused something. */
import { describe, expect, it } from "vitest";
import { externalVault, haBootstrap, inClusterVault, PEM, problemsOf, publicKey, valid } from "./fixtures";

describe("cross-field rules beside schema problems", () => {
    it("lists schema and cross-field problems together (the README's example)", () => {
        const raw = valid();
        raw.production = true;
        raw.applications[0].rotationPeriod = "10s";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:applications[0].rotationPeriod", "vaultkit:vault.server"]);
    });

    it("names the user's own list indexes when an invalid application is left out of the cross-field rules", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "two", databaseRole: "two" });
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "three", databaseRole: "three", rotationPeriod: "1s" });
        raw.applications.push({ name: "four", namespace: "rhbk", serviceAccount: "four", databaseRole: "postgres" });
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.key)).toEqual([
            "vaultkit:applications[0].namespace",
            "vaultkit:applications[2].rotationPeriod",
            "vaultkit:applications[2].name",
            "vaultkit:applications[3].databaseRole",
        ]);
        expect(problems[2]!.expected).toContain("already used by applications[1]");
        expect(problems[2]!.given).toBe('"two"');
    });

    it("leaves cross-field rules about an invalid key to the schema's message", () => {
        const raw = valid();
        haBootstrap(raw);
        raw.vault.bootstrap.threshold = "two";
        // bootstrap is taken out for the cross-field rules; "bootstrapOnly needs bootstrap" would be noise
        expect(problemsOf(raw, { vaultToken: "t" }).map((p) => p.key)).toEqual(["vaultkit:vault.bootstrap.threshold"]);
    });

    it("runs no cross-field rule when a key that selects them is invalid", () => {
        const raw = valid();
        raw.production = true;
        raw.vault.server = "standalone";
        raw.vaultToken = "s.x";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:vault.server"]);
    });

    it("lists every problem at once", () => {
        const raw = valid();
        raw.platform = "aws";
        raw.vault.namespace = "UPPER";
        raw.applications[0].rotationPeriod = "1s";
        const keys = problemsOf(raw).map((p) => p.key);
        expect(keys).toEqual(["vaultkit:platform", "vaultkit:vault.namespace", "vaultkit:applications[0].rotationPeriod"]);
    });
});

describe("cross-field rules on what the schema accepted", () => {
    const keys = (change: (r: Record<string, any>) => void, env = {}) => {
        const raw = valid();
        change(raw);
        return problemsOf(raw, env).map((p) => p.key);
    };
    const devToken = (r: Record<string, any>) => (r.vaultToken = "s.abc"); // a cross-field problem: a token for a dev Vault

    it("still runs when an unknown or a non-selecting key is refused", () => {
        expect(keys((r) => (devToken(r), (r.vault.adress = "x")))).toEqual(["vaultkit:vault.adress", "vaultkit:vaultToken"]);
        expect(keys((r) => (devToken(r), (r.vault.namespace = "UPPER")))).toEqual(["vaultkit:vault.namespace", "vaultkit:vaultToken"]);
    });

    it.each([
        ["production", (r: Record<string, any>) => (r.production = "yes")],
        ["vault", (r: Record<string, any>) => (r.vault = "x")],
        ["vault.mode", (r: Record<string, any>) => (r.vault.mode = "external")],
        ["vault.server", (r: Record<string, any>) => (r.vault.server = "standalone")],
        ["database", (r: Record<string, any>) => (r.database = 5)],
        ["database.mode", (r: Record<string, any>) => (r.database = { mode: "cloud" })],
    ])("does not run when %s, which selects rules, is refused", (key, breakIt) => {
        expect(keys((r) => (devToken(r), breakIt(r)))).toEqual([`vaultkit:${key}`]);
    });

    it("does not run when a required top-level key is missing", () => {
        expect(keys((r) => (devToken(r), delete r.platform))).toEqual(["vaultkit:platform"]);
    });

    it("leaves a problem on a refused key, its parent or its child to the schema's message", () => {
        // the same key: the CA an outside Vault needs is there but not PEM
        expect(keys((r) => (externalVault(r), (r.kubernetesAuth.kubernetesCaCert = "MIIB")))).toEqual(["vaultkit:kubernetesAuth.kubernetesCaCert"]);
        // a child: kubernetesAuth is refused whole, and the rules would ask for its CA
        expect(keys((r) => (externalVault(r), (r.kubernetesAuth = "x")))).toEqual(["vaultkit:kubernetesAuth"]);
        // a parent: the rules would refuse kubernetesAuth for a deployed Vault, whose audience is refused
        expect(keys((r) => (r.kubernetesAuth = { kubernetesCaCert: PEM, audience: "" }))).toEqual(["vaultkit:kubernetesAuth.audience"]);
    });

    it("names the user's indexes in every index a message mentions, in both lists", () => {
        const raw = valid();
        raw.applications = [
            { name: "bad", serviceAccount: "bad", databaseRole: "bad" },
            { name: "one", namespace: "rhbk", serviceAccount: "shared", databaseRole: "one" },
            { name: "two", namespace: "rhbk", serviceAccount: "shared", databaseRole: "two" },
        ];
        raw.externalApplications = [{ name: "Bad" }, { name: "one", databaseRole: "ext" }];
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.key)).toEqual([
            "vaultkit:applications[0].namespace",
            "vaultkit:externalApplications[0].name",
            "vaultkit:externalApplications[0].databaseRole",
            "vaultkit:applications[2].serviceAccount",
            "vaultkit:externalApplications[1].name",
        ]);
        expect(problems[3]!.expected).toBe(
            "expected a namespace and service account of its own: applications[2] ('two') and applications[1] ('one') both run as rhbk/shared, so each could log in as the other and read its credentials",
        );
        expect(problems[4]).toEqual({ key: "vaultkit:externalApplications[1].name", expected: "expected a unique application name ('one' is already used by applications[1])", given: '"one"' });
    });
});

describe("the copy the cross-field rules run on", () => {
    const keys = (change: (r: Record<string, any>) => void, env = {}) => {
        const raw = valid();
        change(raw);
        return problemsOf(raw, env).map((p) => p.key);
    };

    it("takes out a refused key before a refused list element, and names elements taken out in a later round by the user's index", () => {
        const raw = valid();
        raw.applications = [
            { name: "bad", serviceAccount: "bad", databaseRole: "bad" }, // no namespace: the element goes
            { name: "a", namespace: "rhbk", serviceAccount: "keycloak-postgresql-vault-sync", databaseRole: "a" }, // the admin sync's identity
            { name: "Bad", namespace: "rhbk", serviceAccount: "b", databaseRole: "b" }, // its name goes, then (required) the element
        ];
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.key)).toEqual(["vaultkit:applications[0].namespace", "vaultkit:applications[2].name", "vaultkit:applications[1].serviceAccount"]);
        expect(problems[2]!.expected).toMatch(/^expected an identity the admin role does not bind: applications\[1\] \('a'\) runs as rhbk\/keycloak-postgresql-vault-sync/);
    });

    it("runs no rule when a selecting key is refused beside another key", () => {
        expect(keys((r) => ((r.vaultToken = "s.abc"), (r.production = "yes"), (r.vault.namespace = "UPPER")))).toEqual(["vaultkit:production", "vaultkit:vault.namespace"]);
    });

    it("keeps a problem on a key that only begins like a refused one", () => {
        // database.database is refused; database.databaseMount is another key
        expect(keys((r) => (inClusterVault(r), delete r.database.databaseMount, (r.database.database = "1db")), { vaultToken: "t" })).toEqual([
            "vaultkit:database.database",
            "vaultkit:database.databaseMount",
        ]);
    });

    it("keeps a problem on a key that begins a refused one", () => {
        // vault.bootstrapOnly is refused; the bootstrap a dev Vault must not have is another key
        const raw = valid();
        Object.assign(raw.vault, { bootstrap: { pgpKeys: [publicKey(1)], rootTokenPgpKey: publicKey(2), threshold: 1 }, bootstrapOnly: "yes" });
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:vault.bootstrapOnly", "vaultkit:vault.bootstrap"]);
    });

    it("leaves a problem on a list to the schema's message about one of its elements", () => {
        const raw = valid();
        Object.assign(raw, { production: true, database: { adminServiceAccounts: ["default", "Bad_SA"] } });
        Object.assign(raw.vault, { server: "ha", caSecretName: "ca", sealConfig: 'seal "transit" {}' });
        expect(problemsOf(raw, { vaultToken: "t" }).map((p) => p.key)).toEqual(["vaultkit:database.adminServiceAccounts[1]"]);
    });
});
