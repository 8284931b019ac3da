/** stacks/config/index.ts: `parseStackConfig` (defaults, resolution, plain-text secrets), `rawConfigFromPulumi` and `configWarnings`. */
import { describe, expect, it } from "vitest";
import { configWarnings, ConfigError, editDistance, parseStackConfig, rawConfigFromPulumi } from "../../../../stacks/config";
import { inClusterVault, valid } from "./fixtures";

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
