/**
 * Turns a captured program run into a reviewable file tree: `index.yaml` (everything registered, types,
 * parents, dependency edges, the review of images and privileges) plus one file per object where
 * layout.ts puts it.
 *
 * Rules: secret inputs -> "[secret]", unknown inputs -> "[unknown until deployment]"; credential-looking
 * fields are masked even when they were not marked secret (and listed under `unmarkedSecrets` in
 * index.yaml so the leak gets fixed in the program); see mask.ts. Output is byte-for-byte deterministic.
 */
import { Capture, CapturedResource } from "../engine";
import { Plain, Wire, reveal } from "../wire";
import { toYaml } from "../yaml";
import { FileTree, layOut } from "./layout";
import { Revealer, UnmarkedSecret, maskCredentials, prepare } from "./mask";
import { Prepared, compareStrings } from "./prepared";
import { review } from "./review";

export { safeSegment } from "./layout";
export type { UnmarkedSecret } from "./mask";
export { compareStrings, shortType } from "./prepared";

/** Bumped when the layout changes. */
export const RENDER_FORMAT = 1;

/** A rendered tree. */
export interface RenderResult {
    project: string;
    stack: string;
    /** Relative path -> file content. */
    files: Map<string, string>;
    /** Plain values the mocks injected as secrets; none of them may appear in `files`. */
    injectedSecrets: string[];
    unmarkedSecrets: UnmarkedSecret[];
}

/** Options for {@link renderCapture}. */
export interface RenderOptions {
    /** Absolute path of the checkout; occurrences in strings become `<repo>`. */
    repoRoot?: string;
}

/** Stable ids: `type::name`, or the URN's parent-qualified type when two resources share one. */
function resourceIds(c: Capture): (urn: string) => string {
    const counts = new Map<string, number>();
    for (const r of c.resources) counts.set(`${r.type}::${r.name}`, (counts.get(`${r.type}::${r.name}`) ?? 0) + 1);
    const ids = new Map<string, string>();
    for (const r of c.resources) {
        const simple = `${r.type}::${r.name}`;
        ids.set(r.urn, counts.get(simple)! > 1 ? r.urn.split("::").slice(2).join("::") : simple);
    }
    return (urn) => ids.get(urn) ?? urn.split("::").slice(2).join("::");
}

/** Renders a capture into files. */
export function renderCapture(c: Capture, opts: RenderOptions = {}): RenderResult {
    const idOf = resourceIds(c);
    const root = opts.repoRoot;
    const revealer: Revealer = { idOf, rewrite: (s) => (root && s.includes(root) ? s.split(root).join("<repo>") : s) };
    const unmarked: UnmarkedSecret[] = [];
    const sorted = [...c.resources].sort((a, b) => compareStrings(idOf(a.urn), idOf(b.urn)) || compareStrings(a.urn, b.urn));
    const prepared = sorted.map((r) => prepare(r, revealer, unmarked));
    const tree = new FileTree();
    for (const p of prepared) layOut(p, tree);
    tree.files.set("index.yaml", indexFile(c, prepared, tree, revealer, unmarked));
    const files = new Map([...tree.files.entries()].sort(([a], [b]) => compareStrings(a, b)));
    return { project: c.project, stack: c.stack, files, injectedSecrets: c.injectedSecrets, unmarkedSecrets: unmarked };
}

/** index.yaml: counts, unmarked secrets, outputs, invokes, warnings, the review, and one entry per registration. */
function indexFile(c: Capture, prepared: Prepared[], tree: FileTree, v: Revealer, unmarked: UnmarkedSecret[]): string {
    const plain = (w: Record<string, Wire>): Plain => {
        const value = (reveal(w, { rewriteString: v.rewrite, nameResource: (u) => v.idOf(u) }).value ?? {}) as Plain;
        maskCredentials(value, "", "stack outputs", unmarked);
        return value;
    };
    const parentId = (urn: string): string | undefined => {
        if (!urn) return undefined;
        const r = c.resources.find((x) => x.urn === urn);
        if (!r || r.type === "pulumi:pulumi:Stack") return undefined;
        return v.idOf(urn);
    };
    const counts: Record<string, number> = {};
    const entries = prepared
        .filter((p) => p.category !== "stack")
        .map((p) => {
            counts[p.category] = (counts[p.category] ?? 0) + 1;
            const r = p.r;
            const e: Record<string, unknown> = { id: p.id, category: p.category };
            const file = tree.fileOf.get(r.urn);
            if (file) e.file = file;
            const parent = parentId(r.parent);
            if (parent) e.parent = parent;
            if (r.provider) e.provider = v.idOf(r.provider.split("::").slice(0, -1).join("::"));
            if (r.remote) e.remote = true;
            if (r.autonamed) e.autonamed = true;
            const deps = [...new Set(r.dependencies.map((u) => v.idOf(u)))].sort();
            if (deps.length) e.dependsOn = deps;
            if (Object.keys(r.options).length) e.options = options(r.options, v.idOf);
            if (p.secretPaths.length) e.secretInputs = [...new Set(p.secretPaths)];
            if (p.unknownPaths.length) e.unknownInputs = [...new Set(p.unknownPaths)];
            if (r.additionalSecretOutputs.length) e.secretOutputs = r.additionalSecretOutputs;
            if (r.outputs && Object.keys(r.outputs).length) e.outputs = plain(r.outputs);
            return e;
        });
    // Key order is the file's; `unmarkedSecrets` is sorted before the stack outputs and invokes are masked
    // (what they add is appended unsorted, as it always was).
    const doc: Record<string, unknown> = {
        format: RENDER_FORMAT,
        generator: "scripts/render.ts (Pulumi mock engine, no cluster)",
        project: c.project,
        stack: c.stack,
        mode: c.preview ? "preview" : "update",
        counts: Object.fromEntries(Object.entries(counts).sort()),
        unmarkedSecrets: unmarked.sort((a, b) => compareStrings(`${a.resource} ${a.path}`, `${b.resource} ${b.path}`)),
        outputs: plain(c.stackOutputs),
        invokes: c.invokes.map((iv) => ({ token: iv.token, inputs: plain(iv.inputs as Record<string, Wire>) })),
        warnings: c.warnings,
        review: review(prepared, tree.fileOf),
        resources: entries,
    };
    return `# Generated by \`npm run render\`; see docs/rendering.md. Do not edit.\n${toYaml(doc, { keepTopOrder: true })}`;
}

/** Resource options with provider references (`urn::id`) and URNs named by id. */
function options(o: CapturedResource["options"], idOf: (urn: string) => string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
        if (k === "providers" && typeof v === "object" && !Array.isArray(v)) {
            out[k] = Object.fromEntries(Object.entries(v).map(([pkg, ref]) => [pkg, idOf(ref.split("::").slice(0, -1).join("::"))]));
        } else if (k === "deletedWith" && typeof v === "string") {
            out[k] = idOf(v);
        } else {
            out[k] = v;
        }
    }
    return out;
}
