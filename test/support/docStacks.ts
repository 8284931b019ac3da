/**
 * Stack configuration the docs hand to readers: docs/Pulumi.example.yaml (every key, commented) and
 * the fenced YAML blocks of README.md and docs/*.md marked `<!-- stack-config -->` (whole stack files
 * a reader copies). Tests parse and render them so they keep working as written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The commented stack file listing every key. */
export const EXAMPLE_STACK_FILE = path.join(REPO_ROOT, "docs", "Pulumi.example.yaml");

/** The marker line before a fenced ```yaml block that is a whole `Pulumi.<stack>.yaml`. */
export const STACK_CONFIG_MARKER = "<!-- stack-config -->";

/** One marked block: where it is (repo-relative file, 1-based line of its fence) and its text. */
export interface DocStackBlock {
    file: string;
    line: number;
    text: string;
}

/** Every marked block of README.md and docs/*.md, in file order. */
export function docStackBlocks(): DocStackBlock[] {
    const files = ["README.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
    const blocks: DocStackBlock[] = [];
    for (const file of files) {
        const lines = fs.readFileSync(path.join(REPO_ROOT, file), "utf8").split("\n");
        lines.forEach((l, i) => {
            if (l.trim() !== STACK_CONFIG_MARKER) return;
            if (lines[i + 1]?.trim() !== "```yaml") throw new Error(`${file}:${i + 1}: ${STACK_CONFIG_MARKER} must be followed by a \`\`\`yaml fence`);
            const end = lines.findIndex((x, j) => j > i + 1 && x.trim() === "```");
            if (end < 0) throw new Error(`${file}:${i + 2}: unterminated \`\`\`yaml block`);
            blocks.push({ file, line: i + 2, text: lines.slice(i + 2, end).join("\n") + "\n" });
        });
    }
    return blocks;
}

/** A base64 byte string whose first packet is an OpenPGP public-key packet (old format, tag 6). */
function testPublicKey(name: string): string {
    const seed = [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) & 0xff, 7);
    return Buffer.from([0x99, ...Array.from({ length: 80 }, (_, i) => (i * 7 + seed) & 0xff)]).toString("base64");
}

/**
 * The reader's part of a doc block: each `<name.b64>` (a key holder's `gpg --export | base64 -w0`
 * file, docs/ha-vault.md step 1) becomes a generated public key, the same one for the same name.
 */
export function withTestPgpKeys(text: string): string {
    return text.replace(/<([a-z0-9-]+)\.b64>/g, (_, name: string) => testPublicKey(name));
}

/** Writes each marked block, keys filled in, to `dir` as a stack file; returns stack name and path per block. */
export function writeDocStacks(dir: string): { block: DocStackBlock; stack: string; file: string }[] {
    return docStackBlocks().map((block) => {
        const stack = `${path.basename(block.file, ".md").toLowerCase()}-line${block.line}`;
        const file = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, withTestPgpKeys(block.text));
        return { block, stack, file };
    });
}

/**
 * The example file with its commented-out keys switched on: a comment line whose text is a YAML key
 * (`# key: value`, `# vaultkit:key:`) at the key's own indentation loses its `# `. Prose comments
 * never start with `word:`, so they stay comments.
 */
export function uncommentKeys(text: string): string {
    return text.replace(/^([ \t]*)# ([ \t]*(?:- )?[A-Za-z][\w:.]*:(?:[ \t].*)?)$/gm, "$1$2");
}

/**
 * Every key path of a parsed stack file's `vaultkit:` config (`vault.bootstrap.pgpKeys`, list items
 * as `applications.[].name`); a `{ secure: ... }` value is one leaf.
 */
export function configKeyPaths(doc: unknown): string[] {
    const out = new Set<string>();
    const walk = (v: unknown, prefix: string): void => {
        if (Array.isArray(v)) {
            for (const item of v) walk(item, `${prefix}.[]`);
            return;
        }
        if (v === null || typeof v !== "object") return;
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && "secure" in o) return;
        for (const [k, x] of Object.entries(o)) {
            const p = prefix ? `${prefix}.${k}` : k;
            out.add(p);
            walk(x, p);
        }
    };
    const config = (doc as { config?: Record<string, unknown> }).config ?? {};
    for (const [k, v] of Object.entries(config)) {
        const key = k.replace(/^vaultkit:/, "");
        out.add(key);
        walk(v, key);
    }
    return [...out].sort();
}

/** Parses YAML with duplicate keys refused (an uncommented alternative must not shadow a value). */
export function parseYamlStrict(text: string): unknown {
    return YAML.parse(text, { uniqueKeys: true });
}
