/**
 * The stack files the docs give readers (docs/Pulumi.example.yaml and every `<!-- stack-config -->`
 * block, test/support/docStacks.ts) render under the mock engine as the repository's stacks do:
 * valid against the pinned schemas, no secret leaked, no credential flagged by the render's check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RenderResult } from "../../scripts/lib/render";
import { fromYaml } from "../../scripts/lib/yaml";
import { EXAMPLE_STACK_FILE, writeDocStacks } from "../support/docStacks";
import { findLeaks, REPO_ROOT, renderStack, tempDir } from "../support/render";
import { formatViolation, validateRendered } from "../support/schemas";

const tmp = tempDir("vaultkit-doc-stacks-");
afterAll(() => tmp.cleanup());
const stacks = [
    { stack: "example", file: EXAMPLE_STACK_FILE, where: "docs/Pulumi.example.yaml" },
    ...writeDocStacks(tmp.dir).map((s) => ({ stack: s.stack, file: s.file, where: `${s.block.file}:${s.block.line}` })),
];

describe.each(stacks)("$where", ({ stack, file }) => {
    let result: RenderResult;
    let violations: string[];

    beforeAll(async () => {
        result = await renderStack(stack, REPO_ROOT, file);
        violations = (await validateRendered(result.files)).violations.map(formatViolation);
    }, 180_000);

    it("renders and validates against the pinned upstream schemas with no violation", () => {
        expect([...result.files.keys()].filter((p) => p.startsWith("k8s/")).length).toBeGreaterThan(0);
        expect(violations).toEqual([]);
    });

    it("has no credential that reached the engine in plaintext, and leaks no injected secret", () => {
        expect(result.unmarkedSecrets).toEqual([]);
        expect(findLeaks(result.files, result.injectedSecrets)).toEqual([]);
    });

    it("shows every stack output name in the clear: none is mistaken for a credential", () => {
        const outputs = (fromYaml(result.files.get("index.yaml")!) as { outputs: Record<string, unknown> }).outputs;
        const masked = Object.entries(outputs).filter(([, v]) => v === "[secret]").map(([k]) => k);
        // The dev root token is the only secret output, and these stacks run HA Vault.
        expect(masked).toEqual([]);
    });
});

it("the HA doc's first `pulumi up` names the init Secret in the stack output vaultInitSecretName", async () => {
    const ha = stacks.find((s) => s.where.startsWith("docs/ha-vault.md"))!;
    const result = await renderStack(ha.stack, REPO_ROOT, ha.file);
    const outputs = (fromYaml(result.files.get("index.yaml")!) as { outputs: Record<string, unknown> }).outputs;
    expect(outputs.vaultInitSecretName).toBe("vault-init-encrypted");
}, 180_000);
