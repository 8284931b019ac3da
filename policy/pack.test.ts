import { describe, expect, it, vi } from "vitest";
import { POLICY_PACK_NAME, vaultkitPolicies } from "./policies";

const constructed: { name: string; args: { policies: unknown[]; enforcementLevel?: string } }[] = [];
vi.mock("@pulumi/policy", () => ({
    PolicyPack: class {
        constructor(name: string, args: { policies: unknown[]; enforcementLevel?: string }) {
            constructed.push({ name, args });
        }
    },
}));

describe("policy pack", () => {
    it("has seven uniquely named, described, mandatory policies", () => {
        const names = vaultkitPolicies.map((p) => p.name);
        expect(names).toEqual([
            "vault-no-dev-mode-in-production",
            "vault-database-connection-explicit-allowed-roles",
            "vault-static-role-rotation-period-bounds",
            "vault-kubernetes-auth-role-explicit-bindings",
            "no-plaintext-credentials",
            "privileged-pods-only-vault-csi-provider",
            "pinned-images",
        ]);
        expect(new Set(names).size).toBe(names.length);
        for (const p of vaultkitPolicies) {
            expect(p.enforcementLevel).toBe("mandatory");
            expect(p.description.length).toBeGreaterThan(20);
            expect(p.name).toMatch(/^[a-z0-9-]+$/);
            expect(p.configSchema?.properties ?? {}).not.toHaveProperty("enforcementLevel");
        }
    });

    it("index.ts serves exactly those policies under the pack name", async () => {
        await import("./index");
        expect(constructed).toHaveLength(1);
        expect(constructed[0]!.name).toBe(POLICY_PACK_NAME);
        expect(constructed[0]!.args.enforcementLevel).toBe("mandatory");
        expect(constructed[0]!.args.policies).toBe(vaultkitPolicies);
    });
});
