/** scripts/lib/render/mask.ts on the fixture program: secrets masked (and provably absent from every file), unmarked credentials masked and reported. */
import { describe, expect, it } from "vitest";
import { fromYaml } from "../../../../../scripts/lib/yaml";
import { findLeaks, renderFixture } from "../../../../support/render";
import { renderedFixture } from "./fixture";

const { rendered, yamlOf, index, entry } = renderedFixture();

describe("secrets", () => {
    it("replaces every value that reached the engine as a secret with [secret]", () => {
        expect(yamlOf("helm/vault.yaml").values.server.dev.devRootToken).toBe("[secret]");
        expect(yamlOf("providers/vault-vault.yaml").token).toBe("[secret]");
        expect(yamlOf("k8s/rhbk/secret-vault-admin.yaml").stringData).toEqual({ password: "[secret]", username: "[secret]" });
        expect(index().outputs).toEqual({ kvMount: "kv-v2", vaultRootToken: "[secret]" });
        expect(entry("vault:database/secretsMount:SecretsMount::database").secretInputs).toEqual(["postgresqls[0].password"]);
    });

    it("never writes an injected secret value, in any encoding", () => {
        expect(rendered().injectedSecrets.length).toBe(8); // 4 RandomPasswords x (result, bcryptHash)
        expect(findLeaks(rendered().files, rendered().injectedSecrets)).toEqual([]);
    });

    it("the leak search finds a planted secret (plain and base64)", () => {
        const s = rendered().injectedSecrets[0]!;
        const planted = new Map(rendered().files);
        planted.set("k8s/x/a.yaml", `v: ${s}\n`);
        planted.set("k8s/x/b.yaml", `v: ${Buffer.from(s).toString("base64")}\n`);
        expect(findLeaks(planted, rendered().injectedSecrets).map((l) => [l.file, l.encoding])).toEqual([
            ["k8s/x/a.yaml", "plain"],
            ["k8s/x/b.yaml", "base64"],
        ]);
    });

    it("masks plaintext credentials that were not marked secret, and reports them", async () => {
        const leaky = await renderFixture({ leakPasswordInEnv: true }, "leaky");
        const env = (fromYaml(leaky.files.get("k8s/rhbk/deployment-app.yaml")!) as any).spec.template.spec.containers[0].env;
        expect(env).toEqual([{ name: "PGPASSWORD", value: "[secret]" }]);
        expect([...leaky.files.values()].some((c) => c.includes("hunter2-plaintext"))).toBe(false);
        expect(leaky.unmarkedSecrets).toEqual([
            { resource: "kubernetes:apps/v1:Deployment::app", path: "spec.template.spec.containers[0].env[0].value", reason: "environment variable PGPASSWORD holds a plaintext value" },
        ]);
        expect((fromYaml(leaky.files.get("index.yaml")!) as any).unmarkedSecrets).toHaveLength(1);
        expect(rendered().unmarkedSecrets).toEqual([]);
    });
});
