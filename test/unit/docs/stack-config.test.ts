/**
 * The stack configuration the docs give readers works as written: docs/Pulumi.example.yaml names
 * every key of the config schema and its active values are a valid production stack; every
 * `<!-- stack-config -->` block of the docs passes the program's own config check. (The render tier
 * renders the same files: test/render/docs-stacks.test.ts.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../../scripts/lib/stacks";
import { parseStackConfig, rawConfigFromPulumi, rawConfigSchema, type StackConfig } from "../../../stacks/config";
import { configKeyPaths, docStackBlocks, EXAMPLE_STACK_FILE, parseYamlStrict, uncommentKeys, writeDocStacks } from "../../support/docStacks";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Every key path the schema accepts (`vault.bootstrap.pgpKeys`, `applications.[].name`), from zod's definitions. */
function schemaKeyPaths(): string[] {
    const unwrap = (s: any): any => {
        for (;;) {
            const def = s._zod.def;
            if (["optional", "default", "prefault", "nullable", "readonly", "catch"].includes(def.type)) s = def.innerType;
            else if (def.type === "pipe") s = def.in;
            else return s;
        }
    };
    const walk = (schema: any, prefix: string): string[] => {
        const s = unwrap(schema);
        if (s._zod.def.type === "array") return walk(s._zod.def.element, `${prefix}.[]`);
        if (s._zod.def.type !== "object") return [];
        return Object.entries(s._zod.def.shape).flatMap(([k, v]) => {
            const p = prefix ? `${prefix}.${k}` : k;
            return [p, ...walk(v, p)];
        });
    };
    return walk(rawConfigSchema, "").sort();
}

/** Parses a stack file as `npm run render` and `pulumi up` do, with VAULT_TOKEN set (as a CI job sets it). */
function parseStackFile(stack: string, file: string): StackConfig {
    const f = loadStackFile(REPO_ROOT, stack, file);
    return parseStackConfig(stack, rawConfigFromPulumi(f.config), {
        vaultToken: "hvs.from-the-environment",
        isSecret: (key) => f.secretKeys.includes(`vaultkit:${key}`),
        otherConfigKeys: Object.keys(f.config).filter((k) => !k.startsWith("vaultkit:")),
    });
}

describe("docs/Pulumi.example.yaml", () => {
    const text = fs.readFileSync(EXAMPLE_STACK_FILE, "utf8");

    it("names every key of the config schema, and no key the schema does not have", () => {
        const keys = schemaKeyPaths();
        expect(keys.length).toBeGreaterThan(90); // the walk reached the nested objects and lists
        expect(configKeyPaths(parseYamlStrict(uncommentKeys(text)))).toEqual(keys);
    });

    it("is a valid production stack as it stands: HA Vault over TLS, no lab settings", () => {
        const c = parseStackFile("example", EXAMPLE_STACK_FILE);
        expect(c.production).toBe(true);
        expect(c.protect).toBe(true);
        expect(c.vault).toMatchObject({ mode: "deploy", server: "ha", skipTlsVerify: false });
        expect(c.vault.sealConfig).toMatch(/^seal "transit"/);
        expect(new URL(c.vault.address!).protocol).toBe("https:");
        expect(c.vault.address).not.toMatch(/127\.0\.0\.1|localhost/);
        expect(c.kubeContext).toBeUndefined();
        expect(c.debugWorkloads).toMatchObject({ csi: false, injector: false, direct: false });
        expect(c.database).toMatchObject({ sslMode: "require", rotateVaultAdminPassword: true });
        expect(c.applications.map((a) => a.name)).toEqual(["billing"]);
    });
});

describe("stack config blocks in the docs", () => {
    const blocks = docStackBlocks();

    it("include docs/ha-vault.md's first `pulumi up`", () => {
        expect(blocks.filter((b) => b.file === "docs/ha-vault.md" && /bootstrapOnly: true/.test(b.text))).toHaveLength(1);
    });

    it("each pass the program's config check as written (key holders' keys filled in)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-doc-stacks-"));
        try {
            for (const { block, stack, file } of writeDocStacks(dir)) {
                expect(() => parseStackFile(stack, file), `${block.file}:${block.line}`).not.toThrow();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("ha-vault.md's first `pulumi up` is a bootstrap-only HA stack that needs no Vault token", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-doc-stacks-"));
        try {
            const ha = writeDocStacks(dir).find((s) => s.block.file === "docs/ha-vault.md")!;
            const f = loadStackFile(REPO_ROOT, ha.stack, ha.file);
            const c = parseStackConfig(ha.stack, rawConfigFromPulumi(f.config), {});
            expect(c.vault).toMatchObject({ server: "ha", bootstrapOnly: true, caSecretName: "vault-ca" });
            expect(c.vault.bootstrap).toMatchObject({ threshold: 2 });
            expect(c.vault.bootstrap!.pgpKeys).toHaveLength(3);
            expect(c.vault.bootstrap!.rootTokenPgpKey).toBe(c.vault.bootstrap!.pgpKeys[0]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
