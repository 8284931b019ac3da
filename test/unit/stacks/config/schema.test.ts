/** stacks/config/schema.ts: the whole schema (top-level keys) and how its issues become problems: unknown keys, missing required keys. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { type Case, type ExactCase, haBootstrap, itRefusesEach, itRefusesEachExactly, PEM, problemsOf, valid } from "./fixtures";

const cases: Case[] = [
    ["missing platform", (r) => delete r.platform, "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["unknown platform", (r) => (r.platform = "openshfit"), "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["production not a boolean", (r) => (r.production = "yes"), "vaultkit:production", /true or false/],
    ["kubectl image unpinned", (r) => (r.kubectlImage = "registry.k8s.io/kubectl"), "vaultkit:kubectlImage", /pinned to a tag or digest/],
    ["misspelled top-level key", (r) => (r.aplications = []), "vaultkit:aplications", /no such key/],
    ["misspelled nested key", (r) => (r.vault.adress = "x"), "vaultkit:vault.adress", /no such key/],
];

describe("bad top-level input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("unknown and missing keys", () => {
    it("suggests the nearest key for a misspelt one", () => {
        const raw = valid();
        raw.applications[0].rotationPeriode = "24h";
        raw.vault.adress = "https://x";
        raw.aplications = [];
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:applications[0].rotationPeriode")!.expected).toMatch(/did you mean 'rotationPeriod'\?/);
        expect(problems.find((p) => p.key === "vaultkit:vault.adress")!.expected).toMatch(/did you mean 'address'\?/);
        expect(problems.find((p) => p.key === "vaultkit:aplications")!.expected).toMatch(/did you mean 'applications'\?/);
        raw.zzzzzz = 1;
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:zzzzzz")!.expected).toBe("no such key (check the spelling against the README's configuration reference)");
    });

    it("says how to set a nested key that was set as one flat key (without --path)", () => {
        const raw = valid();
        raw["database.instances"] = 3;
        const p = problemsOf(raw).find((x) => x.key === "vaultkit:database.instances")!;
        expect(p.expected).toContain("`pulumi config set --path vaultkit:database.instances <value>`");
        expect(p.given).toBe("3");
    });

    it("says a missing required key is required", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        expect(problemsOf(raw)[0]).toEqual({ key: "vaultkit:applications[0].namespace", expected: "a value is required here (expected a string)", given: "nothing (the key is missing)" });
    });

    it("suggests the nearest of several close keys, wherever it stands in the schema", () => {
        const raw = valid();
        raw.vault.bootstrapOnl = true;
        raw.database = { slMode: "require" };
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:vault.bootstrapOnl")!.expected).toBe(
            "no such key; did you mean 'bootstrapOnly'? (the README's configuration reference lists every key)",
        );
        expect(problems.find((p) => p.key === "vaultkit:database.slMode")!.expected).toBe("no such key; did you mean 'sslMode'? (the README's configuration reference lists every key)");
    });
});

describe("top-level keys, word for word", () => {
    const exact: ExactCase[] = [
        ["platform", (r) => (r.platform = "aws"), "vaultkit:platform", "expected one of 'openshift', 'kubernetes'", '"aws"'],
        ["production", (r) => (r.production = "yes"), "vaultkit:production", "expected true or false", '"yes"'],
        ["protect", (r) => (r.protect = "yes"), "vaultkit:protect", "expected true or false", '"yes"'],
        ["retainOnDelete", (r) => (r.retainOnDelete = "yes"), "vaultkit:retainOnDelete", "expected true or false", '"yes"'],
        ["an empty vaultToken", (r) => (r.vaultToken = ""), "vaultkit:vaultToken", "expected a non-empty token", "[secret]"],
        ["a reviewer token of 19 characters", (r) => (r.kubernetesTokenReviewerJwt = "a".repeat(19)), "vaultkit:kubernetesTokenReviewerJwt", "expected a service account token (a JWT)", "[secret]"],
        [
            "an admin password of 15 characters",
            (r) => ((r.database = { mode: "existing", host: "db" }), (r.databaseAdminPassword = "a".repeat(15))),
            "vaultkit:databaseAdminPassword",
            "expected a password of at least 16 characters",
            "[secret]",
        ],
        // zod reports a missing enum as an invalid value, not a missing type: its own message stands
        ["a missing platform", (r) => delete r.platform, "vaultkit:platform", "expected one of 'openshift', 'kubernetes'", "nothing (the key is missing)"],
        ["a missing application name", (r) => delete r.applications[0].name, "vaultkit:applications[0].name", "a value is required here (expected a string)", "nothing (the key is missing)"],
    ];
    itRefusesEachExactly(exact);

    it("takes either platform", () => {
        const raw = valid();
        raw.platform = "kubernetes";
        delete raw.vault.routeHost;
        expect(parseStackConfig("t", raw).platform).toBe("kubernetes");
        expect(parseStackConfig("t", valid()).platform).toBe("openshift");
    });

    it("refuses an empty kubeContext and keeps a given one", () => {
        const raw = valid();
        raw.kubeContext = "";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:kubeContext"]);
        raw.kubeContext = "admin@lab";
        expect(parseStackConfig("t", raw).kubeContext).toBe("admin@lab");
    });

    it("takes a reviewer token of 20 characters and an admin password of 16", () => {
        const raw = valid();
        raw.vault = { mode: "existing", address: "https://vault.example.com", configure: true };
        raw.vaultToken = "hvs.t";
        raw.kubernetesTokenReviewerJwt = "a".repeat(20);
        raw.kubernetesAuth = { kubernetesHost: "https://api.example.com:6443", kubernetesCaCert: PEM, mount: "k" };
        raw.database = { mode: "existing", host: "db", kvMount: "kv", databaseMount: "db" };
        raw.databaseAdminPassword = "a".repeat(16);
        const c = parseStackConfig("t", raw);
        expect([c.kubernetesTokenReviewerJwt, c.databaseAdminPassword]).toEqual(["a".repeat(20), "a".repeat(16)]);
    });
});

describe("unknown keys, in every section", () => {
    const hint = (k: string) => `no such key; did you mean '${k}'? (the README's configuration reference lists every key)`;
    const none = "no such key (check the spelling against the README's configuration reference)";
    const exact: ExactCase[] = [
        ["top level", (r) => (r.aplications = []), "vaultkit:aplications", hint("applications"), "[]"],
        ["vault", (r) => (r.vault.adress = "x"), "vaultkit:vault.adress", hint("address"), '"x"'],
        ["vault.bootstrap", (r) => (haBootstrap(r), (r.vault.bootstrap.treshold = 2)), "vaultkit:vault.bootstrap.treshold", hint("threshold"), "2"],
        ["vault.sealSecretEnv[0]", (r) => (r.vault.sealSecretEnv = [{ envName: "T", secretName: "s", secretKey: "k", secretkey: "k" }]), "vaultkit:vault.sealSecretEnv[0].secretkey", hint("secretKey"), '"k"'],
        ["database (a transformed object)", (r) => (r.database = { slMode: "require" }), "vaultkit:database.slMode", hint("sslMode"), '"require"'],
        ["applications[0]", (r) => (r.applications[0].rotationPeriode = "24h"), "vaultkit:applications[0].rotationPeriode", hint("rotationPeriod"), '"24h"'],
        ["externalApplications[0]", (r) => (r.externalApplications = [{ name: "e", databaseRole: "e", databaseRol: "e" }]), "vaultkit:externalApplications[0].databaseRol", hint("databaseRole"), '"e"'],
        ["kubernetesAuth", (r) => (r.kubernetesAuth = { mout: "k" }), "vaultkit:kubernetesAuth.mout", hint("mount"), '"k"'],
        ["debugWorkloads", (r) => (r.debugWorkloads = { injecter: true }), "vaultkit:debugWorkloads.injecter", hint("injector"), "true"],
        ["operators (a refined object)", (r) => (r.operators = { instal: false }), "vaultkit:operators.instal", hint("install"), "false"],
        ["at the edge of the distance allowed (3 for 13 characters)", (r) => (r.vaultTokenxxx = "t"), "vaultkit:vaultTokenxxx", hint("vaultToken"), '"t"'],
        ["one past it (4 for 14 characters)", (r) => (r.vaultTokenxxxx = "t"), "vaultkit:vaultTokenxxxx", none, '"t"'],
        ["at the edge for a short key (2)", (r) => (r.vault.uiii = true), "vaultkit:vault.uiii", hint("ui"), "true"],
        ["in another case", (r) => (r.VAULTTOKEN = "t"), "vaultkit:VAULTTOKEN", hint("vaultToken"), '"t"'],
        [
            "a nested key set flat",
            (r) => (r["vault.server"] = "ha"),
            "vaultkit:vault.server",
            "expected a key inside 'vault': 'vault.server' was set as one flat key; use `pulumi config set --path vaultkit:vault.server <value>` (or nest it under vaultkit:vault in the stack file)",
            '"ha"',
        ],
        [
            "a list element set flat",
            (r) => (r["applications[0]"] = {}),
            "vaultkit:applications[0]",
            "expected a key inside 'applications': 'applications[0]' was set as one flat key; use `pulumi config set --path vaultkit:applications[0] <value>` (or nest it under vaultkit:applications in the stack file)",
            "{}",
        ],
        ["a flat key under an unknown head", (r) => (r["foo.bar"] = 1), "vaultkit:foo.bar", none, "1"],
        ["a flat key inside a section", (r) => (r.vault["bootstrap.threshold"] = 2), "vaultkit:vault.bootstrap.threshold", none, "2"],
    ];
    itRefusesEachExactly(exact);
});
