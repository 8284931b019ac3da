/** stacks/protection.ts: which resource types get which options, from the config's keys. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../stacks/config";
import { statefulOptions, STATEFUL_TYPES } from "../../../stacks/protection";

const base = { platform: "openshift", vault: { address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" } };
const CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection";

describe("statefulOptions", () => {
    it("protects what holds state by default only in production, and lets the config say otherwise", () => {
        const lab = parseStackConfig("lab", base);
        expect(lab.protect).toBe(false);
        expect(statefulOptions(lab, "vault:index/mount:Mount")).toEqual({});
        const labProtected = parseStackConfig("lab", { ...base, protect: true });
        for (const type of Object.keys(STATEFUL_TYPES)) {
            expect(statefulOptions(labProtected, type), type).toEqual({ protect: true });
        }
        const prod = { ...parseStackConfig("lab", base), production: true, protect: true };
        expect(statefulOptions(prod, "kubernetes:stackgres.io/v1:SGCluster")).toEqual({ protect: true });
    });

    it("never touches stateless types (policies, roles, static roles, workloads)", () => {
        const all = parseStackConfig("lab", { ...base, protect: true, retainOnDelete: true });
        for (const type of ["vault:index/policy:Policy", "vault:kubernetes/authBackendRole:AuthBackendRole", "vault:database/secretBackendStaticRole:SecretBackendStaticRole", "kubernetes:apps/v1:Deployment", CONNECTION]) {
            expect(statefulOptions(all, type), type).toEqual({});
        }
    });

    it("retains only what lives in Vault, by default when the Vault is an existing one", () => {
        const existing = parseStackConfig(
            "ext",
            {
                ...base,
                vault: { mode: "existing", address: "https://vault.example.com" },
                kubernetesAuth: { vaultRunsInCluster: true, mount: "team-kubernetes" },
                database: { kvMount: "team-kv", databaseMount: "team-database" },
            },
            { vaultToken: "hvs.t" },
        );
        expect(existing.retainOnDelete).toBe(true);
        expect(statefulOptions(existing, "vault:index/authBackend:AuthBackend")).toEqual({ retainOnDelete: true });
        expect(statefulOptions(existing, "vault:kv/secretV2:SecretV2")).toEqual({ retainOnDelete: true });
        expect(statefulOptions(existing, "random:index/randomPassword:RandomPassword")).toEqual({});
        expect(parseStackConfig("lab", base).retainOnDelete).toBe(false);
    });

    it("protects the database connection whenever rotate-root takes its password, whatever `protect` says", () => {
        const rotated = parseStackConfig("lab", { ...base, protect: false, database: { rotateVaultAdminPassword: true } });
        expect(statefulOptions(rotated, CONNECTION)).toEqual({ protect: true });
        expect(statefulOptions(parseStackConfig("lab", base), CONNECTION)).toEqual({});
    });
});
