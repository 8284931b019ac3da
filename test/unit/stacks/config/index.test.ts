/** stacks/config/index.ts: `parseStackConfig` (defaults, resolution, plain-text secrets), `rawConfigFromPulumi` and `configWarnings`. */
import { describe, expect, it } from "vitest";
import { configWarnings, ConfigError, editDistance, parseStackConfig, rawConfigFromPulumi } from "../../../../stacks/config";
import { externalVault, inClusterVault, problemsOf, REVIEWER_JWT, valid } from "./fixtures";

describe("parseStackConfig", () => {
    it("fills the seed's defaults", () => {
        const c = parseStackConfig("dev", valid());
        expect(c.stackName).toBe("dev");
        expect(c.vault).toMatchObject({ mode: "deploy", server: "dev", namespace: "vault", releaseName: "vault", chartVersion: "0.34.1" });
        expect(c.vault.inClusterAddress).toBe("http://vault.vault.svc.cluster.local:8200");
        expect(c.kubernetesAuth).toEqual({ mount: "kubernetes", kubernetesHost: "https://kubernetes.default.svc", audience: "https://kubernetes.default.svc", vaultRunsInCluster: true });
        expect(c.database).toMatchObject({
            namespace: "rhbk",
            clusterName: "keycloak-postgresql",
            kvMount: "kv-v2",
            adminSecretPath: "keycloak-postgresql/config",
            adminPolicyName: "keycloak-postgresql-policy",
            adminAuthRole: "keycloak-postgresql-admin",
            adminServiceAccounts: [],
            adminTokenTtl: 86400,
            databaseMount: "database",
            connectionName: "keycloak-postgresql",
            vaultAdminRole: "vault_admin",
            syncedSecretName: "keycloak-postgresql-vault",
            sslMode: "require",
        });
        expect(c.applications[0]).toMatchObject({ rotationPeriod: 86400, delivery: "direct", tokenTtl: 3600 });
    });

    it("accepts secret keys that were set as secrets", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vaultToken = "hvs.set-with-secret";
        expect(parseStackConfig("dev", raw, { isSecret: (k) => k === "vaultToken" }).vaultToken).toBe("hvs.set-with-secret");
    });

    it("refuses secret keys set in plain text, without printing them", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vaultToken = "hvs.CAESIPlaintextTokenCommittedToGit";
        raw.database = { ...raw.database, mode: "existing", host: "db" };
        raw.databaseAdminPassword = "hunter2hunter2hunter2";
        const err = (() => {
            try {
                parseStackConfig("t", raw, { isSecret: () => false });
            } catch (e) {
                return e as ConfigError;
            }
            throw new Error("expected an error");
        })();
        expect(err.problems.map((p) => p.key)).toEqual(["vaultkit:vaultToken", "vaultkit:databaseAdminPassword"]);
        expect(err.problems[0]!.expected).toContain("`pulumi config set --secret vaultkit:vaultToken <value>`");
        expect(err.problems[0]!.given).toBe("a plain value (not shown)");
        expect(err.message).not.toContain("hvs.CAES");
        expect(err.message).not.toContain("hunter2");
        // without a way to tell (parseStackConfig called directly), nothing is refused
        expect(() => parseStackConfig("t", raw)).not.toThrow();
    });
});

describe("rawConfigFromPulumi", () => {
    it("reads Pulumi's flat config map, JSON-decoding structured values", () => {
        const raw = rawConfigFromPulumi({
            "vaultkit:platform": "kubernetes",
            "vaultkit:production": "true",
            "vaultkit:vault": JSON.stringify({ address: "http://127.0.0.1:8200" }),
            "vaultkit:vaultToken": "123",
            "kubernetes:context": "ignored",
        });
        expect(raw).toEqual({ platform: "kubernetes", production: true, vault: { address: "http://127.0.0.1:8200" }, vaultToken: "123" });
    });
});

describe("configWarnings", () => {
    it("warns about keys in a namespace that looks like a misspelt vaultkit", () => {
        expect(configWarnings({ "valutkit:debugWorkloads": "{}", "vaultkt:production": "true", "VaultKit:platform": "openshift", "vaultkit:platform": "openshift" })).toEqual([
            "config key 'VaultKit:platform' is ignored: its namespace is 'VaultKit', not 'vaultkit' (did you mean 'vaultkit:platform'?)",
            "config key 'valutkit:debugWorkloads' is ignored: its namespace is 'valutkit', not 'vaultkit' (did you mean 'vaultkit:debugWorkloads'?)",
            "config key 'vaultkt:production' is ignored: its namespace is 'vaultkt', not 'vaultkit' (did you mean 'vaultkit:production'?)",
        ]);
    });

    it("leaves other providers' namespaces alone", () => {
        expect(configWarnings({ "vault:address": "x", "kubernetes:context": "y", "pulumi:tags": "z", "vaultkit:platform": "openshift" })).toEqual([]);
        expect(editDistance("vault", "vaultkit")).toBe(3);
    });
});

describe("parseStackConfig resolves", () => {
    const parse = (change: (r: Record<string, any>) => void, env = {}) => {
        const raw = valid();
        change(raw);
        return parseStackConfig("t", raw, env);
    };

    it("where pods reach Vault: the given address, the chart's Service (https for HA), or an existing Vault's address", () => {
        expect(parse((r) => (r.vault.inClusterAddress = "http://vault-active.vault:8200")).vault.inClusterAddress).toBe("http://vault-active.vault:8200");
        expect(parse((r) => ((r.vault.namespace = "v"), (r.vault.releaseName = "bank"))).vault.inClusterAddress).toBe("http://bank.v.svc.cluster.local:8200");
        expect(parse((r) => ((r.vault.server = "ha"), (r.vault.caSecretName = "ca")), { vaultToken: "t" }).vault.inClusterAddress).toBe("https://vault.vault.svc.cluster.local:8200");
        expect(parse(inClusterVault, { vaultToken: "t" }).vault.inClusterAddress).toBe("https://vault.example.com");
    });

    it("protect from production unless set, retainOnDelete from an existing Vault unless set", () => {
        expect(parse(() => undefined)).toMatchObject({ production: false, protect: false, retainOnDelete: false });
        expect(parse((r) => (r.protect = true))).toMatchObject({ protect: true });
        expect(parse((r) => (r.retainOnDelete = true))).toMatchObject({ retainOnDelete: true });
        expect(parse(inClusterVault, { vaultToken: "t" })).toMatchObject({ retainOnDelete: true });
        expect(parse((r) => (inClusterVault(r), (r.retainOnDelete = false)), { vaultToken: "t" })).toMatchObject({ retainOnDelete: false });
        const prod = (r: Record<string, any>) => ((r.production = true), (r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealConfig = 'seal "transit" {}'));
        expect(parse(prod, { vaultToken: "t" })).toMatchObject({ production: true, protect: true });
        expect(parse((r) => (prod(r), (r.protect = false)), { vaultToken: "t" })).toMatchObject({ production: true, protect: false });
    });

    it("the secrets: config before the environment, and no key at all for one not given", () => {
        const c = parse(() => undefined);
        expect(["vaultToken", "databaseAdminPassword", "kubernetesTokenReviewerJwt"].filter((k) => k in c)).toEqual([]);
        expect(parse((r) => (inClusterVault(r), (r.vaultToken = "hvs.config")), { vaultToken: "hvs.env" }).vaultToken).toBe("hvs.config");
        expect(parse(inClusterVault, { vaultToken: "hvs.env" }).vaultToken).toBe("hvs.env");
        const ext = parse(externalVault);
        expect([ext.vaultToken, ext.kubernetesTokenReviewerJwt]).toEqual(["hvs.t", REVIEWER_JWT]);
    });

    it("lists the schema's problems and the cross-field ones when the schema refuses something", () => {
        const raw = valid();
        raw.vault.namespace = "UPPER";
        raw.vaultToken = "s.abc";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:vault.namespace", "vaultkit:vaultToken"]);
    });

    it("refuses every secret key set in plain text, word for word", () => {
        const raw = valid();
        externalVault(raw);
        raw.database = { ...raw.database, mode: "existing", host: "db" };
        raw.databaseAdminPassword = "0123456789abcdef";
        const plain = (k: string) => ({
            key: `vaultkit:${k}`,
            expected: `expected a secret value: \`pulumi config set --secret vaultkit:${k} <value>\` (a plain value is stored readable in Pulumi.<stack>.yaml, which is usually committed)`,
            given: "a plain value (not shown)",
        });
        expect(problemsOf(raw, { isSecret: (k) => k === "vaultToken" })).toEqual([plain("databaseAdminPassword"), plain("kubernetesTokenReviewerJwt")]);
        expect(parseStackConfig("t", raw, { isSecret: () => true }).databaseAdminPassword).toBe("0123456789abcdef");
    });
});

describe("configWarnings, at its edges", () => {
    it("warns up to an edit distance of 2, in any case, sorted by key, and ignores a key without a namespace", () => {
        expect(configWarnings({ "vaultkitxx:a": "1", "vaultkitxxx:b": "1", "VAULTKIT:c": "1", vaultkt: "1", "vaultkit:d": "1" })).toEqual([
            "config key 'VAULTKIT:c' is ignored: its namespace is 'VAULTKIT', not 'vaultkit' (did you mean 'vaultkit:c'?)",
            "config key 'vaultkitxx:a' is ignored: its namespace is 'vaultkitxx', not 'vaultkit' (did you mean 'vaultkit:a'?)",
        ]);
    });
});

describe("rawConfigFromPulumi, at its edges", () => {
    it("keeps a plain string that is not JSON and a secret that looks like JSON, and skips keys without a namespace", () => {
        expect(rawConfigFromPulumi({ "vaultkit:platform": "openshift", "vaultkit:databaseAdminPassword": "[1,2]", "vaultkit:kubernetesTokenReviewerJwt": "true", "vaultkit:vault": "{", vaultkit: "x" })).toEqual({
            platform: "openshift",
            databaseAdminPassword: "[1,2]",
            kubernetesTokenReviewerJwt: "true",
            vault: "{",
        });
    });
});
