/**
 * What a reviewer reads first: a summary of one render (SUMMARY.md at the top of the render folder)
 * and of the difference between two renders (the head of scripts/render-diff.sh's output and of the
 * PR comment). Both are built from the rendered files alone (index.yaml and the object files), so
 * they work on any two trees the renderer wrote. Pure functions; Markdown that reads as plain text.
 */
import * as path from "path";
import { compareStrings, shortType } from "./render";
import { fromYaml } from "./yaml";

/** Marks the start of the object-file diff in scripts/render-diff.sh's report. */
export const DETAILS_MARKER = "<!-- render-diff:details -->";
/** Marks the start of the index.yaml (bookkeeping) diff in that report. */
export const BOOKKEEPING_MARKER = "<!-- render-diff:bookkeeping -->";

/** One declared object as the render shows it. */
export interface RenderedObject {
    /** Pulumi's identity of the resource: `<type>::<name>` (a new name is a delete and a create). */
    id: string;
    /** Kubernetes kind, `helm chart`, or the Vault/other resource type's short name. */
    kind: string;
    /** Kubernetes namespace (`-` for cluster-scoped objects and non-Kubernetes resources). */
    namespace: string;
    /** The object's own name: metadata.name, the Vault path or name, the chart release. */
    name: string;
    /** What the server knows it by; a change of it with the same `id` means Pulumi replaces it. */
    identity: string;
    /** Which Vault section it belongs to, for Vault resources. */
    vault?: VaultSection;
    /** Why deleting or replacing it loses data, when it does. */
    stateful?: string;
    /** `protect` / `retainOnDelete` from the resource options, as index.yaml records them. */
    protect: boolean;
    retainOnDelete: boolean;
    file: string;
    content: string;
}

export type VaultSection = "secrets engines" | "auth methods" | "auth roles" | "policies" | "database connections" | "database roles" | "KV secrets" | "other Vault settings";
const VAULT_SECTIONS: VaultSection[] = ["secrets engines", "auth methods", "auth roles", "policies", "database connections", "database roles", "KV secrets", "other Vault settings"];

interface IndexEntry {
    id: string;
    category?: string;
    file?: string;
    options?: Record<string, unknown>;
}

interface IndexDoc {
    stack?: string;
    warnings?: string[];
    unmarkedSecrets?: { resource: string; path: string; reason: string }[];
    review?: { images?: Record<string, string[]>; elevatedPrivileges?: { file: string; path: string; setting: string }[] };
    resources?: IndexEntry[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The parsed index.yaml of a rendered tree. */
export function indexOf(files: Map<string, string>): IndexDoc {
    const raw = files.get("index.yaml");
    return raw ? ((fromYaml(raw) as IndexDoc) ?? {}) : {};
}

/** Kubernetes kinds whose deletion loses data by themselves. */
const STATEFUL_KINDS: Record<string, string> = {
    SGCluster: "a PostgreSQL cluster: its data and volumes go with it",
    SGShardedCluster: "a sharded PostgreSQL cluster: its data and volumes go with it",
    SGDistributedLogs: "a logs database: its data and volumes go with it",
    SGBackup: "a database backup",
    PersistentVolumeClaim: "a volume claim: the volume's data goes with it (reclaim policy permitting)",
    PersistentVolume: "a volume",
    Namespace: "a namespace: everything in it is deleted with it",
};

/** Keys under which charts and operators declare persistent storage. */
const STORAGE_KEYS = new Set(["dataStorage", "auditStorage", "persistence", "persistentVolume", "volumeClaimTemplates"]);

/** Where in `value` persistent storage is declared (and not disabled), as dotted paths. */
function storagePaths(value: unknown, prefix = ""): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => storagePaths(v, `${prefix}[${i}]`));
    if (!isObj(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        if (STORAGE_KEYS.has(k) && v !== null && v !== false && !(isObj(v) && v.enabled === false) && !(Array.isArray(v) && v.length === 0)) return [p];
        return storagePaths(v, p);
    });
}

function vaultSection(type: string): VaultSection {
    if (type === "vault:index/mount:Mount") return "secrets engines";
    if (type === "vault:index/authBackend:AuthBackend" || /authBackendConfig/.test(type)) return "auth methods";
    if (/authBackendRole/.test(type)) return "auth roles";
    if (type === "vault:index/policy:Policy") return "policies";
    if (/secretBackendConnection/.test(type)) return "database connections";
    if (/^vault:database\//.test(type)) return "database roles";
    if (/^vault:kv\//.test(type)) return "KV secrets";
    return "other Vault settings";
}

/** Every object of a rendered tree that has a file (components and the stack have none). */
export function renderedObjects(files: Map<string, string>): RenderedObject[] {
    const out: RenderedObject[] = [];
    for (const entry of indexOf(files).resources ?? []) {
        if (!entry.file || !files.has(entry.file)) continue;
        const content = files.get(entry.file)!;
        const type = entry.id.split("::")[0]!;
        const doc = entry.file.endsWith(".yaml") ? fromYaml(content) : undefined;
        const d: Obj = isObj(doc) ? doc : {};
        const base = { id: entry.id, file: entry.file, content, protect: entry.options?.protect === true, retainOnDelete: entry.options?.retainOnDelete === true };
        if (entry.category === "kubernetes") {
            const md = isObj(d.metadata) ? d.metadata : {};
            const kind = text(d.kind) ?? shortType(type);
            const namespace = text(md.namespace) ?? "-";
            const name = text(md.name) ?? text(md.generateName) ?? entry.id.split("::")[1]!;
            const storage = storagePaths(d.spec);
            const stateful = STATEFUL_KINDS[kind] ?? (storage.length ? `persistent storage (${storage.join(", ")})` : undefined);
            const group = (text(d.apiVersion) ?? "").split("/").slice(0, -1).join("/");
            out.push({ ...base, kind, namespace, name, identity: `${group}/${kind} ${namespace}/${name}`, ...(stateful ? { stateful } : {}) });
        } else if (entry.category === "helm") {
            const name = text(d.releaseName) ?? entry.id.split("::")[1]!;
            const namespace = text(d.namespace) ?? "-";
            const storage = storagePaths(d.values);
            out.push({
                ...base,
                kind: "helm chart",
                namespace,
                name: `${name} (${text(d.chart) ?? "?"} ${text(d.version) ?? "?"})`,
                identity: `${namespace}/${name}`,
                ...(storage.length ? { stateful: `a Helm release with persistent storage (values ${storage.join(", ")})` } : {}),
            });
        } else if (entry.category === "vault") {
            const section = vaultSection(type);
            const name =
                section === "policies"
                    ? path.basename(entry.file, ".hcl")
                    : [d.backend ?? d.mount, d.path ?? d.name ?? d.roleName].filter((x): x is string => typeof x === "string").join("/") || entry.id.split("::")[1]!;
            const identity = ["type", "path", "backend", "mount", "name", "roleName"].map((k) => `${k}=${text(d[k]) ?? ""}`).join(" ") + (section === "policies" ? ` policy=${name}` : "");
            const stateful =
                section === "secrets engines"
                    ? `a secrets engine: everything stored under ${text(d.path) ?? name}/ goes with it`
                    : type === "vault:index/authBackend:AuthBackend"
                      ? `an auth method: every role under auth/${text(d.path) ?? name}/ goes with it`
                      : section === "KV secrets"
                        ? "a stored secret and its versions"
                        : undefined;
            out.push({ ...base, kind: shortType(type), namespace: "-", name, identity, vault: section, ...(stateful ? { stateful } : {}) });
        } else if (entry.category === "provider") {
            out.push({ ...base, kind: `${shortType(type)} provider`, namespace: "-", name: entry.id.split("::")[1]!, identity: "" });
        } else {
            const name = entry.id.split("::")[1]!;
            // A random value is regenerated on any change of its inputs (the first line names the resource).
            const regenerated = type.startsWith("random:") ? content.slice(content.indexOf("\n") + 1) : "";
            out.push({
                ...base,
                kind: shortType(type),
                namespace: "-",
                name,
                identity: regenerated,
                ...(type === "random:index/randomPassword:RandomPassword" ? { stateful: "a generated credential: a new one replaces the value everything was set up with" } : {}),
            });
        }
    }
    return out.sort((a, b) => compareStrings(a.id, b.id));
}

/** `kind namespace/name`, or `kind name` outside namespaces. */
export function describeObject(o: RenderedObject): string {
    return `${o.kind} ${o.namespace === "-" ? "" : `${o.namespace}/`}${o.name}`;
}

function protection(o: RenderedObject): string {
    return o.protect ? " (protected: Pulumi refuses to delete or replace it until `pulumi state unprotect`)" : o.retainOnDelete ? " (retainOnDelete: left in place, only forgotten by Pulumi)" : "";
}

function table(header: string[], rows: string[][]): string[] {
    const esc = (s: string) => s.replace(/\|/g, "\\|");
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)];
}

/** Objects grouped by kind and namespace: [kind, namespace, count, names]. */
function byKindAndNamespace(objects: RenderedObject[]): string[][] {
    const groups = new Map<string, RenderedObject[]>();
    for (const o of objects) {
        const k = `${o.kind}\u0000${o.namespace}`;
        groups.set(k, [...(groups.get(k) ?? []), o]);
    }
    return [...groups.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([k, os]) => {
            const [kind, namespace] = k.split("\u0000") as [string, string];
            return [kind, namespace, String(os.length), os.map((o) => o.name).sort(compareStrings).join(", ")];
        });
}

/** SUMMARY.md of one rendered tree: what the stack declares, the stateful objects, Vault, images. */
export function renderSummary(files: Map<string, string>): string {
    const index = indexOf(files);
    const objects = renderedObjects(files);
    const stack = index.stack ?? "?";
    const lines = [
        `# Render of stack \`${stack}\`: read this first`,
        "",
        `${objects.length} objects (Kubernetes objects, Helm charts, Vault settings, providers and generated values), as \`pulumi preview\` of this stack would declare them. Secrets are masked; \`index.yaml\` has every resource with its dependencies and options (docs/rendering.md).`,
        "",
        "## Stateful objects (deleting or replacing one loses data)",
        "",
    ];
    const stateful = objects.filter((o) => o.stateful);
    lines.push(...(stateful.length ? stateful.map((o) => `- ${describeObject(o)}: ${o.stateful}${protection(o)}`) : ["None."]), "");
    lines.push("## Objects by kind and namespace", "", ...table(["kind", "namespace", "count", "names"], byKindAndNamespace(objects.filter((o) => !o.vault))), "");
    lines.push("## Vault", "");
    const vault = objects.filter((o) => o.vault);
    if (vault.length === 0) lines.push("No Vault settings.");
    for (const section of VAULT_SECTIONS) {
        const names = vault.filter((o) => o.vault === section).map((o) => `\`${o.name}\``);
        if (names.length) lines.push(`- ${section}: ${names.join(", ")}`);
    }
    lines.push("");
    const images = Object.keys(index.review?.images ?? {}).sort(compareStrings);
    lines.push("## Images", "", ...(images.length ? images.map((i) => `- \`${i}\``) : ["None."]), "");
    const elevated = index.review?.elevatedPrivileges ?? [];
    lines.push("## Elevated privileges", "", ...(elevated.length ? elevated.map((e) => `- ${e.file}: \`${e.path}\` (${e.setting})`) : ["None."]), "");
    const problems = [...(index.unmarkedSecrets ?? []).map((u) => `credential in plaintext: ${u.resource} ${u.path}: ${u.reason}`), ...(index.warnings ?? [])];
    if (problems.length) lines.push("## Warnings", "", ...problems.map((p) => `- ${p}`), "");
    return lines.join("\n");
}

/** What changed in one stack between two renders. */
export interface StackDiff {
    stack: string;
    added: RenderedObject[];
    removed: RenderedObject[];
    /** Same resource, same identity, other content. */
    changed: { before: RenderedObject; after: RenderedObject }[];
    /**
     * Deleted and created again: the same resource with another identity, or (`renamed`) the same
     * server object under a new Pulumi name, which Pulumi also deletes and creates (an alias avoids it).
     */
    replaced: { before: RenderedObject; after: RenderedObject; renamed?: boolean }[];
    imagesAdded: string[];
    imagesRemoved: string[];
    privilegesAdded: string[];
    privilegesRemoved: string[];
}

/** Compares two sets of rendered trees (stack -> files); a stack on one side only is all added or removed. */
export function diffRenders(base: Map<string, Map<string, string>>, head: Map<string, Map<string, string>>): StackDiff[] {
    const stacks = [...new Set([...base.keys(), ...head.keys()])].sort(compareStrings);
    const diffs: StackDiff[] = [];
    for (const stack of stacks) {
        const b = base.get(stack) ?? new Map<string, string>();
        const h = head.get(stack) ?? new Map<string, string>();
        const before = new Map(renderedObjects(b).map((o) => [o.id, o]));
        const after = new Map(renderedObjects(h).map((o) => [o.id, o]));
        const d: StackDiff = { stack, added: [], removed: [], changed: [], replaced: [], imagesAdded: [], imagesRemoved: [], privilegesAdded: [], privilegesRemoved: [] };
        for (const [id, o] of after) {
            const old = before.get(id);
            if (!old) d.added.push(o);
            else if (old.identity !== o.identity) d.replaced.push({ before: old, after: o });
            else if (old.content !== o.content) d.changed.push({ before: old, after: o });
        }
        for (const [id, o] of before) if (!after.has(id)) d.removed.push(o);
        // A new Pulumi name for the same server object: a delete and a create of that object.
        for (const o of [...d.removed]) {
            // (Random values have no server object: equal settings do not make two of them the same.)
            const twin = o.identity === "" || o.id.startsWith("random:") ? undefined : d.added.find((a) => a.identity === o.identity && a.kind === o.kind);
            if (twin) {
                d.removed.splice(d.removed.indexOf(o), 1);
                d.added.splice(d.added.indexOf(twin), 1);
                d.replaced.push({ before: o, after: twin, renamed: true });
            }
        }
        const [ib, ih] = [indexOf(b), indexOf(h)];
        const imgB = new Set(Object.keys(ib.review?.images ?? {}));
        const imgH = new Set(Object.keys(ih.review?.images ?? {}));
        d.imagesAdded = [...imgH].filter((i) => !imgB.has(i)).sort(compareStrings);
        d.imagesRemoved = [...imgB].filter((i) => !imgH.has(i)).sort(compareStrings);
        const priv = (i: IndexDoc) => new Set((i.review?.elevatedPrivileges ?? []).map((e) => `${e.file}: ${e.path} (${e.setting})`));
        const [pb, ph] = [priv(ib), priv(ih)];
        d.privilegesAdded = [...ph].filter((p) => !pb.has(p)).sort(compareStrings);
        d.privilegesRemoved = [...pb].filter((p) => !ph.has(p)).sort(compareStrings);
        diffs.push(d);
    }
    return diffs;
}

/** True when nothing a reviewer would see changed (bookkeeping may still differ). */
export function unchanged(d: StackDiff): boolean {
    return d.added.length + d.removed.length + d.changed.length + d.replaced.length + d.imagesAdded.length + d.imagesRemoved.length + d.privilegesAdded.length + d.privilegesRemoved.length === 0;
}

/**
 * The review summary of a diff, in reading order: every deletion or replacement of a stateful object
 * (all stacks) first, then per stack the objects created, updated, replaced and deleted by kind and
 * namespace, the Vault changes by section, images and privileges.
 */
export function formatDiffSummary(diffs: StackDiff[], title = "Render changes"): string {
    const lines = [`## ${title}`, ""];
    const danger: string[][] = [];
    for (const d of diffs) {
        for (const o of d.removed) if (o.stateful) danger.push([d.stack, "delete", describeObject(o), o.stateful + protection(o)]);
        for (const { before, after, renamed } of d.replaced) {
            if (!before.stateful) continue;
            const what = renamed ? `${describeObject(before)} (new Pulumi name: ${after.id.split("::")[1]}, same object)` : `${describeObject(before)} -> ${describeObject(after)}`;
            danger.push([d.stack, renamed ? "delete and create again" : "replace", what, before.stateful + protection(before)]);
        }
    }
    if (danger.length) {
        lines.push(`### ⚠ ${danger.length} stateful object(s) deleted or replaced: data is lost unless it is moved first`, "", ...table(["stack", "change", "object", "what is lost"], danger), "");
    } else {
        lines.push("No stateful object is deleted or replaced.", "");
    }
    const changedStacks = diffs.filter((d) => !unchanged(d));
    if (changedStacks.length === 0) lines.push("No object changes in any stack (only bookkeeping, if anything).", "");
    for (const d of changedStacks) {
        lines.push(`### ${d.stack}: ${d.added.length} to create, ${d.changed.length} to update, ${d.replaced.length} to replace, ${d.removed.length} to delete`, "");
        const rows: string[][] = [];
        const add = (sign: string, os: RenderedObject[]) => rows.push(...byKindAndNamespace(os).map(([kind, ns, , names]) => [sign, kind!, ns!, names!]));
        add("+", d.added.filter((o) => !o.vault));
        add("~", d.changed.map((c) => c.after).filter((o) => !o.vault));
        add("±", d.replaced.map((c) => c.after).filter((o) => !o.vault));
        add("-", d.removed.filter((o) => !o.vault));
        if (rows.length) lines.push(...table(["", "kind", "namespace", "names"], rows), "");
        const vaultLines: string[] = [];
        for (const section of VAULT_SECTIONS) {
            const items = [
                ...d.added.filter((o) => o.vault === section).map((o) => `+ \`${o.name}\``),
                ...d.changed.filter((c) => c.after.vault === section).map((c) => `~ \`${c.after.name}\``),
                ...d.replaced.filter((c) => c.after.vault === section).map((c) => (c.renamed ? `± \`${c.before.name}\` (deleted and created again)` : `± \`${c.before.name}\` -> \`${c.after.name}\``)),
                ...d.removed.filter((o) => o.vault === section).map((o) => `- \`${o.name}\``),
            ];
            if (items.length) vaultLines.push(`- ${section}: ${items.join(", ")}`);
        }
        if (vaultLines.length) lines.push("Vault:", "", ...vaultLines, "");
        const review = [
            ...d.imagesAdded.map((i) => `- image added: \`${i}\``),
            ...d.imagesRemoved.map((i) => `- image no longer used: \`${i}\``),
            ...d.privilegesAdded.map((p) => `- elevated privilege added: ${p}`),
            ...d.privilegesRemoved.map((p) => `- elevated privilege removed: ${p}`),
        ];
        if (review.length) lines.push("Images and privileges:", "", ...review, "");
    }
    return lines.join("\n");
}
