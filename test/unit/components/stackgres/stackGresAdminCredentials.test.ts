/**
 * StackGresAdminCredentials under the mock engine: its type token, and the alias to its previous token
 * (`PostgresAdminCredentials`) that keeps existing stacks from replacing their generated credentials.
 * (Its children, passwords and policy are asserted in test/unit/components/vault/vaultServer.test.ts.)
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { one, parentOf, registrations, settle, setupMocks } from "../../../support/mocks";
import { STACKGRES_CREDENTIAL_KEYS, stackGresCredentialData } from "../../../../components/stackgres/stackGresAdminCredentials";

const TYPE = "vaultkit:index:StackGresAdminCredentials";

/** Alias specs (`{ type, name }`) of each registered component, by `type::name`, as the engine receives them. */
const aliasSpecs = new Map<string, { type: string; name: string }[]>();

beforeAll(async () => {
    await setupMocks();
    const monitor = (pulumi.runtime as any).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const specs = req.getAliasesList().map((a: any) => ({ type: a.getSpec()?.getType() ?? "", name: a.getSpec()?.getName() ?? "" }));
        aliasSpecs.set(`${req.getType()}::${req.getName()}`, specs);
        return register(req, callback);
    };
    const { StackGresAdminCredentials } = await import("../../../../components/stackgres/stackGresAdminCredentials");
    new StackGresAdminCredentials("orders-admin", { kvMount: "team-kv", secretPath: "orders/config", policyName: "orders-policy" });
    new StackGresAdminCredentials(
        "renamed-admin",
        { kvMount: "team-kv", createMount: false, secretPath: "renamed/config", policyName: "renamed-policy" },
        // The caller's own aliases stay, beside the type alias.
        { aliases: [{ name: "before-rename" }] },
    );
    await settle();
});

describe("StackGresAdminCredentials", () => {
    it("registers as vaultkit:index:StackGresAdminCredentials, the children under it", () => {
        one(TYPE, "orders-admin");
        expect(registrations.filter((r) => r.type === "vaultkit:index:PostgresAdminCredentials")).toEqual([]);
        expect(parentOf(one("vault:kv/secretV2:SecretV2", "orders-admin-secret"))).toBe(`${TYPE}::orders-admin`);
    });

    it("aliases the previous type token, so a stack from before the rename keeps its component and generated passwords", () => {
        expect(aliasSpecs.get(`${TYPE}::orders-admin`)).toEqual([{ type: "vaultkit:index:PostgresAdminCredentials", name: "" }]);
    });

    it("keeps the caller's aliases beside it", () => {
        expect(aliasSpecs.get(`${TYPE}::renamed-admin`)).toEqual(
            expect.arrayContaining([
                { type: "vaultkit:index:PostgresAdminCredentials", name: "" },
                { type: "", name: "before-rename" },
            ]),
        );
        expect(aliasSpecs.get(`${TYPE}::renamed-admin`)).toHaveLength(2);
    });
});

describe("StackGres credential document", () => {
    it("holds exactly the seven keys StackGres expects, with StackGres' usernames", () => {
        const data = stackGresCredentialData({ superuser: "s", replication: "r", authenticator: "a", restapi: "p" });
        expect(Object.keys(data).sort()).toEqual([...STACKGRES_CREDENTIAL_KEYS].sort());
        expect(data["superuser-username"]).toBe("postgres");
        expect(data["replication-username"]).toBe("replicator");
        expect(data["authenticator-username"]).toBe("authenticator");
        expect(data["restapi-password"]).toBe("p");
    });
});
