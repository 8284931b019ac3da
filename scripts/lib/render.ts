/**
 * Turns a captured program run into a reviewable file tree:
 *
 *   index.yaml                                   everything registered, types, parents, dependency edges
 *   k8s/<namespace | _cluster>/<kind>-<name>.yaml one Kubernetes object per file
 *   helm/<resource name>.yaml                     chart, version, repo, release options and values
 *   vault/…                                       mounts, auth backends + roles, policies (.hcl),
 *                                                 database connections (no secrets), static roles,
 *                                                 KV secrets (key names only)
 *   providers/<package>-<name>.yaml               provider configuration (credentials masked)
 *   other/<package>/<type>-<name>.yaml            everything else (random, command, …)
 *
 * Rules: secret inputs -> "[secret]", unknown inputs -> "[unknown until deployment]"; credential-looking
 * fields are masked even when they were not marked secret (and listed under `unmarkedSecrets` in
 * index.yaml so the leak gets fixed in the program). Output is byte-for-byte deterministic.
 */
import { Capture, CapturedResource } from "./engine";
import {
    Plain,
    SECRET_PLACEHOLDER,
    UNKNOWN_PLACEHOLDER,
    UNKNOWN_VALUE,
    Wire,
    containsUnknown,
    isPlaceholder,
    joinPath,
    reveal,
    unwrapWireSecrets,
} from "./wire";
import { toYaml } from "./yaml";

/** Bumped when the layout changes. */
export const RENDER_FORMAT = 1;

/** A credential that reached the engine in plaintext (masked in the output anyway). */
export interface UnmarkedSecret {
    resource: string;
    path: string;
    reason: string;
}

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

type Category = "stack" | "component" | "read" | "provider" | "helm" | "kubernetes-component" | "kubernetes" | "vault" | "other";

const HELM_TYPE = /^kubernetes:helm\.sh\/v\d+:(Chart|Release)$/;

function categorize(r: CapturedResource): Category {
    if (r.type === "pulumi:pulumi:Stack") return "stack";
    if (r.read) return "read";
    if (r.type.startsWith("pulumi:providers:")) return "provider";
    if (HELM_TYPE.test(r.type)) return "helm";
    if (!r.custom) return r.type.startsWith("kubernetes:") ? "kubernetes-component" : "component";
    if (r.type.startsWith("kubernetes:")) return "kubernetes";
    if (r.type.startsWith("vault:")) return "vault";
    return "other";
}

/** Credential-looking keys (camelCase, snake/kebab and plain words). */
const CREDENTIAL_KEY =
    /^(password|passwd|passphrase|secret|token|jwt|kubeconfig|privateKey|private_key|clientKey|client_key|clientSecret|client_secret)$|(Password|Passwd|Passphrase|Secret|Token|Jwt|PrivateKey|ClientKey|Kubeconfig)$|[-_.](password|passwd|passphrase|secret|token|jwt)$/;
/** Environment variable names that carry credentials. */
const CREDENTIAL_ENV = /(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|PRIVATE_KEY|API_KEY)/i;
/** `scheme://user:password@` with a real password (Vault's `{{password}}` template is fine). */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):([^@\s]+)@/i;

/** A file-name-safe segment. */
export function safeSegment(s: string): string {
    const t = s.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+$/, "_");
    return t === "" ? "_" : t;
}

function safePath(p: string): string {
    return p
        .split("/")
        .filter((x) => x !== "")
        .map(safeSegment)
        .join("/");
}

function str(v: Plain | undefined): string | undefined {
    return typeof v === "string" && !isPlaceholder(v) ? v : undefined;
}

function isObj(v: unknown): v is { [k: string]: Plain } {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Registration data made plain and masked. */
interface Prepared {
    r: CapturedResource;
    id: string;
    category: Category;
    inputs: { [k: string]: Plain };
    secretPaths: string[];
    unknownPaths: string[];
}

class Renderer {
    readonly files = new Map<string, string>();
    readonly unmarked: UnmarkedSecret[] = [];
    private readonly ids = new Map<string, string>();
    private readonly fileOf = new Map<string, string>();
    private readonly prepared: Prepared[];

    constructor(private readonly c: Capture, private readonly opts: RenderOptions) {
        // Stable ids: `type::name`, or the URN's parent-qualified type when two resources share one.
        const counts = new Map<string, number>();
        for (const r of c.resources) counts.set(`${r.type}::${r.name}`, (counts.get(`${r.type}::${r.name}`) ?? 0) + 1);
        for (const r of c.resources) {
            const simple = `${r.type}::${r.name}`;
            this.ids.set(r.urn, counts.get(simple)! > 1 ? r.urn.split("::").slice(2).join("::") : simple);
        }
        const sorted = [...c.resources].sort((a, b) => compareStrings(this.idOf(a.urn), this.idOf(b.urn)) || compareStrings(a.urn, b.urn));
        this.prepared = sorted.map((r) => this.prepare(r));
    }

    idOf(urn: string): string {
        return this.ids.get(urn) ?? urn.split("::").slice(2).join("::");
    }

    private rewrite = (s: string): string => {
        const root = this.opts.repoRoot;
        return root && s.includes(root) ? s.split(root).join("<repo>") : s;
    };

    private prepare(r: CapturedResource): Prepared {
        const id = this.idOf(r.urn);
        const category = categorize(r);
        const inputs: Record<string, Wire> = { ...r.inputs };
        const revealed = reveal(inputs, { rewriteString: this.rewrite, nameResource: (u) => this.idOf(u) });
        const value = (revealed.value ?? {}) as { [k: string]: Plain };
        // Outputs the SDK declares secret are masked in their input form too.
        for (const k of r.additionalSecretOutputs) {
            if (value[k] !== undefined && !isPlaceholder(value[k])) {
                value[k] = maskDeep(value[k]!);
            }
        }
        const isK8sSecret = category === "kubernetes" && r.type.startsWith("kubernetes:core/v1:Secret");
        if (isK8sSecret) {
            // The SDK marks the whole map secret; keep the key names, mask every value.
            for (const k of ["data", "stringData"]) {
                if (r.inputs[k] === undefined || value[k] === UNKNOWN_PLACEHOLDER) continue;
                const inner = unwrapWireSecrets(r.inputs[k]);
                if (isObj(inner)) {
                    value[k] = Object.fromEntries(
                        Object.entries(inner as Record<string, Wire>).map(([key, v]) => [key, containsUnknown(v) ? UNKNOWN_PLACEHOLDER : SECRET_PLACEHOLDER]),
                    );
                } else if (!isPlaceholder(value[k])) {
                    value[k] = SECRET_PLACEHOLDER;
                }
            }
        }
        if (category !== "stack" && category !== "component") {
            this.maskCredentials(value, "", id);
        }
        return { r, id, category, inputs: value, secretPaths: revealed.secretPaths.sort(), unknownPaths: revealed.unknownPaths.sort() };
    }

    /** Masks credential-looking strings in place, recording the ones that were not secret. */
    private maskCredentials(node: Plain, path: string, id: string, key = ""): void {
        if (Array.isArray(node)) {
            node.forEach((x, i) => {
                if (typeof x === "string") {
                    const masked = this.maskString(x, joinPath(path, i), id, key);
                    if (masked !== x) node[i] = masked;
                } else {
                    this.maskCredentials(x, joinPath(path, i), id, key);
                }
            });
            return;
        }
        if (!isObj(node)) return;
        // `{ name: PGPASSWORD, value: ... }` environment entries.
        if (typeof node.name === "string" && typeof node.value === "string" && CREDENTIAL_ENV.test(node.name) && !isPlaceholder(node.value) && node.value !== "") {
            this.unmarked.push({ resource: id, path: joinPath(path, "value"), reason: `environment variable ${node.name} holds a plaintext value` });
            node.value = SECRET_PLACEHOLDER;
        }
        for (const [k, v] of Object.entries(node)) {
            if (k === "annotations" || k === "labels") continue;
            const p = joinPath(path, k);
            if (typeof v === "string") {
                const masked = this.maskString(v, p, id, k);
                if (masked !== v) node[k] = masked;
            } else {
                this.maskCredentials(v, p, id, k);
            }
        }
    }

    private maskString(v: string, path: string, id: string, key: string): string {
        // Flags (`skipChildToken: "true"`) are not credentials; provider config arrives as strings.
        if (isPlaceholder(v) || v === "" || v === "true" || v === "false") return v;
        if (CREDENTIAL_KEY.test(key)) {
            this.unmarked.push({ resource: id, path, reason: `credential field '${key}' was not marked secret` });
            return SECRET_PLACEHOLDER;
        }
        const m = URL_PASSWORD.exec(v);
        if (m && m[2] !== "{{password}}" && !m[2]!.startsWith("[")) {
            this.unmarked.push({ resource: id, path, reason: "URL with an embedded password was not marked secret" });
            return v.replace(URL_PASSWORD, `$1:${SECRET_PLACEHOLDER}@`);
        }
        return v;
    }

    private put(path: string, content: string, r: Prepared): string {
        let p = path;
        const dot = path.lastIndexOf(".");
        for (let n = 2; this.files.has(p); n++) {
            p = `${path.slice(0, dot)}~${n}${path.slice(dot)}`;
        }
        this.files.set(p, content);
        this.fileOf.set(r.r.urn, p);
        return p;
    }

    private yamlFile(path: string, value: unknown, r: Prepared, keepTopOrder = false): void {
        this.put(path, `# ${r.id}\n${toYaml(value, { keepTopOrder })}`, r);
    }

    run(): void {
        for (const p of this.prepared) {
            switch (p.category) {
                case "kubernetes":
                    this.kubernetes(p);
                    break;
                case "helm":
                    this.helm(p);
                    break;
                case "vault":
                    this.vault(p);
                    break;
                case "provider": {
                    const pkg = p.r.type.slice("pulumi:providers:".length);
                    this.yamlFile(`providers/${safeSegment(pkg)}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
                    break;
                }
                case "kubernetes-component":
                    this.yamlFile(`k8s-components/${safeSegment(shortType(p.r.type))}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
                    break;
                case "other": {
                    const pkg = p.r.type.split(":")[0]!;
                    this.yamlFile(`other/${safeSegment(pkg)}/${safeSegment(shortType(p.r.type))}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
                    break;
                }
                default:
                    break;
            }
        }
        this.index();
    }

    private kubernetes(p: Prepared): void {
        const obj = p.inputs;
        const md = isObj(obj.metadata) ? obj.metadata : {};
        const kind = str(obj.kind) ?? shortType(p.r.type);
        const name = str(md.name) ?? p.r.name;
        const ns = str(md.namespace) ?? (md.namespace !== undefined ? "_unknown" : "_cluster");
        const patch = p.r.type.endsWith("Patch") ? ".patch" : "";
        this.yamlFile(`k8s/${safeSegment(ns)}/${safeSegment(kind.toLowerCase())}-${safeSegment(name)}${patch}.yaml`, obj, p);
    }

    private helm(p: Prepared): void {
        const i = p.inputs;
        const repoOpts = isObj(i.repositoryOpts) ? i.repositoryOpts : {};
        // `compat` is an SDK-internal input of helm.v3.Release.
        const { chart, version, values, repositoryOpts, namespace, name, compat, ...rest } = i;
        void repositoryOpts;
        void compat;
        const doc: Record<string, Plain | undefined> = {
            chart,
            version: version ?? "(not pinned)",
            repo: repoOpts.repo,
            releaseName: name,
            namespace,
            resourceType: p.r.type,
        };
        if (Object.keys(rest).length > 0) doc.options = rest;
        doc.values = values ?? {};
        this.yamlFile(`helm/${safeSegment(p.r.name)}.yaml`, doc, p, true);
    }

    private vault(p: Prepared): void {
        const t = p.r.type;
        const i = { ...p.inputs };
        const pathOf = (v: Plain | undefined, fallback: string) => safePath(str(v) ?? fallback);
        switch (t) {
            case "vault:index/policy:Policy": {
                const name = str(i.name) ?? p.r.name;
                const hcl = typeof i.policy === "string" ? i.policy : UNKNOWN_PLACEHOLDER;
                this.put(`vault/policies/${safeSegment(name)}.hcl`, `# ${p.id}\n${hcl.endsWith("\n") ? hcl : hcl + "\n"}`, p);
                return;
            }
            case "vault:index/mount:Mount":
                this.yamlFile(`vault/mounts/${pathOf(i.path, p.r.name)}.yaml`, i, p);
                return;
            case "vault:index/authBackend:AuthBackend":
                this.yamlFile(`vault/auth/${pathOf(i.path ?? i.type, p.r.name)}/backend.yaml`, i, p);
                return;
            case "vault:kv/secretBackendV2:SecretBackendV2":
                this.yamlFile(`vault/kv/${pathOf(i.mount, p.r.name)}/_config.yaml`, i, p);
                return;
            case "vault:kv/secretV2:SecretV2": {
                const { dataJson, dataJsonWo, ...rest } = i;
                void dataJson;
                void dataJsonWo;
                const keys = keyNames(p.r.inputs.dataJson ?? p.r.inputs.dataJsonWo);
                this.yamlFile(`vault/kv/${pathOf(i.mount, "_unknown")}/${pathOf(i.name, p.r.name)}.yaml`, { ...rest, keys }, p);
                return;
            }
            case "vault:database/secretsMount:SecretsMount": {
                const mount = pathOf(i.path, p.r.name);
                const settings: Record<string, Plain> = {};
                for (const [k, v] of Object.entries(i)) {
                    if (Array.isArray(v) && v.every((c) => isObj(c) && "name" in c)) {
                        // One list per database plugin (postgresqls, mysqls, …): each entry is a connection.
                        v.forEach((conn, n) => {
                            const c = conn as { [k: string]: Plain };
                            const connName = str(c.name) ?? `${k}-${n}`;
                            this.connection(`vault/database/${mount}/connections/${safeSegment(connName)}.yaml`, { plugin: k.replace(/s$/, ""), ...c }, p);
                        });
                        settings[k] = v.map((c) => (isObj(c) ? c.name ?? null : null));
                    } else {
                        settings[k] = v;
                    }
                }
                this.yamlFile(`vault/mounts/${mount}.yaml`, { type: "database", ...settings }, p);
                return;
            }
            case "vault:database/secretBackendConnection:SecretBackendConnection":
                this.connection(`vault/database/${pathOf(i.backend, "_unknown")}/connections/${pathOf(i.name, p.r.name)}.yaml`, i, p);
                return;
            case "vault:database/secretBackendStaticRole:SecretBackendStaticRole":
                this.yamlFile(`vault/database/${pathOf(i.backend, "_unknown")}/static-roles/${pathOf(i.name, p.r.name)}.yaml`, i, p);
                return;
            case "vault:database/secretBackendRole:SecretBackendRole":
                this.yamlFile(`vault/database/${pathOf(i.backend, "_unknown")}/roles/${pathOf(i.name, p.r.name)}.yaml`, i, p);
                return;
            case "vault:generic/endpoint:Endpoint":
            case "vault:generic/secret:Secret": {
                const { dataJson, ...rest } = i;
                void dataJson;
                this.yamlFile(`vault/generic/${pathOf(i.path, p.r.name)}.yaml`, { ...rest, keys: keyNames(p.r.inputs.dataJson) }, p);
                return;
            }
            default:
                break;
        }
        const mod = /^vault:([^/]+)\/(authBackend\w*):/.exec(t);
        if (mod && /Role$/.test(mod[2]!)) {
            const role = str(i.roleName) ?? str(i.name) ?? p.r.name;
            this.yamlFile(`vault/auth/${pathOf(i.backend, mod[1]!)}/roles/${safeSegment(role)}.yaml`, i, p);
            return;
        }
        if (mod && /Config$/.test(mod[2]!)) {
            this.yamlFile(`vault/auth/${pathOf(i.backend, mod[1]!)}/config.yaml`, i, p);
            return;
        }
        this.yamlFile(`vault/other/${safeSegment(shortType(t))}-${safeSegment(p.r.name)}.yaml`, i, p);
    }

    /** A database connection: secrets masked, no matter how they were given. */
    private connection(path: string, conn: { [k: string]: Plain }, p: Prepared): void {
        this.yamlFile(path, conn, p);
    }

    private index(): void {
        const counts: Record<string, number> = {};
        const entries = this.prepared
            .filter((p) => p.category !== "stack")
            .map((p) => {
                counts[p.category] = (counts[p.category] ?? 0) + 1;
                const r = p.r;
                const e: Record<string, unknown> = { id: p.id, category: p.category };
                const file = this.fileOf.get(r.urn);
                if (file) e.file = file;
                const parent = this.parentId(r.parent);
                if (parent) e.parent = parent;
                if (r.provider) e.provider = this.idOf(r.provider.split("::").slice(0, -1).join("::"));
                if (r.remote) e.remote = true;
                if (r.autonamed) e.autonamed = true;
                const deps = [...new Set(r.dependencies.map((u) => this.idOf(u)))].sort();
                if (deps.length) e.dependsOn = deps;
                if (Object.keys(r.options).length) e.options = this.options(r.options);
                if (p.secretPaths.length) e.secretInputs = [...new Set(p.secretPaths)];
                if (p.unknownPaths.length) e.unknownInputs = [...new Set(p.unknownPaths)];
                if (r.additionalSecretOutputs.length) e.secretOutputs = r.additionalSecretOutputs;
                if (r.outputs && Object.keys(r.outputs).length) e.outputs = this.plain(r.outputs);
                return e;
            });
        const doc: Record<string, unknown> = {
            format: RENDER_FORMAT,
            generator: "scripts/render.ts (Pulumi mock engine, no cluster)",
            project: this.c.project,
            stack: this.c.stack,
            mode: this.c.preview ? "preview" : "update",
            counts: Object.fromEntries(Object.entries(counts).sort()),
            unmarkedSecrets: this.unmarked.sort((a, b) => compareStrings(`${a.resource} ${a.path}`, `${b.resource} ${b.path}`)),
            outputs: this.plain(this.c.stackOutputs),
            invokes: this.c.invokes.map((iv) => ({ token: iv.token, inputs: this.plain(iv.inputs as Record<string, Wire>) })),
            warnings: this.c.warnings,
            review: this.review(),
            resources: entries,
        };
        this.files.set("index.yaml", `# Generated by \`npm run render\`; see docs/rendering.md. Do not edit.\n${toYaml(doc, { keepTopOrder: true })}`);
    }

    /**
     * What a reviewer looks at first, gathered from the Kubernetes objects: every container image
     * (with the files using it) and every container or pod that asks for elevated privileges.
     */
    private review(): Record<string, unknown> {
        const images = new Map<string, Set<string>>();
        const elevated: { file: string; path: string; setting: string }[] = [];
        const visit = (node: Plain, path: string, file: string) => {
            if (Array.isArray(node)) {
                node.forEach((x, i) => visit(x, joinPath(path, i), file));
                return;
            }
            if (!isObj(node)) return;
            for (const key of ["containers", "initContainers", "ephemeralContainers"]) {
                const list = node[key];
                if (!Array.isArray(list)) continue;
                list.forEach((c, i) => {
                    if (!isObj(c)) return;
                    const image = str(c.image);
                    if (image) {
                        if (!images.has(image)) images.set(image, new Set());
                        images.get(image)!.add(file);
                    }
                    const sc = isObj(c.securityContext) ? c.securityContext : {};
                    const at = joinPath(joinPath(path, key), i);
                    if (sc.privileged === true) elevated.push({ file, path: `${at}.securityContext.privileged`, setting: "privileged: true" });
                    if (sc.allowPrivilegeEscalation === true) elevated.push({ file, path: `${at}.securityContext.allowPrivilegeEscalation`, setting: "allowPrivilegeEscalation: true" });
                    if (sc.runAsNonRoot === false) elevated.push({ file, path: `${at}.securityContext.runAsNonRoot`, setting: "runAsNonRoot: false" });
                    if (sc.runAsUser === 0) elevated.push({ file, path: `${at}.securityContext.runAsUser`, setting: "runAsUser: 0" });
                    const caps = isObj(sc.capabilities) && Array.isArray(sc.capabilities.add) ? sc.capabilities.add : [];
                    if (caps.length) elevated.push({ file, path: `${at}.securityContext.capabilities.add`, setting: `capabilities.add: ${caps.join(", ")}` });
                });
            }
            for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
                if (node[key] === true) elevated.push({ file, path: joinPath(path, key), setting: `${key}: true` });
            }
            if (Array.isArray(node.volumes)) {
                node.volumes.forEach((v, i) => {
                    if (isObj(v) && v.hostPath !== undefined) elevated.push({ file, path: `${joinPath(joinPath(path, "volumes"), i)}.hostPath`, setting: "hostPath volume" });
                });
            }
            for (const [k, v] of Object.entries(node)) if (typeof v === "object" && v !== null) visit(v, joinPath(path, k), file);
        };
        // Helm values that ask for privileges (e.g. the Vault CSI provider's `privileged: true`).
        const visitValues = (node: Plain, path: string, file: string) => {
            if (Array.isArray(node)) return node.forEach((x, i) => visitValues(x, joinPath(path, i), file));
            if (!isObj(node)) return;
            for (const [k, v] of Object.entries(node)) {
                if (["privileged", "allowPrivilegeEscalation", "hostNetwork", "hostPID"].includes(k) && v === true) elevated.push({ file, path: joinPath(path, k), setting: `${k}: true` });
                else visitValues(v, joinPath(path, k), file);
            }
        };
        for (const p of this.prepared) {
            const file = this.fileOf.get(p.r.urn);
            if (p.category === "kubernetes" && file) visit(p.inputs, "", file);
            if (p.category === "helm" && file && p.inputs.values !== undefined) visitValues(p.inputs.values, "values", file);
        }
        return {
            images: Object.fromEntries([...images].sort(([a], [b]) => compareStrings(a, b)).map(([img, files]) => [img, [...files].sort()])),
            elevatedPrivileges: elevated.sort((a, b) => compareStrings(`${a.file} ${a.path}`, `${b.file} ${b.path}`)),
        };
    }

    /** Resource options with provider references (`urn::id`) and URNs named by id. */
    private options(o: CapturedResource["options"]): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(o)) {
            if (k === "providers" && typeof v === "object" && !Array.isArray(v)) {
                out[k] = Object.fromEntries(Object.entries(v).map(([pkg, ref]) => [pkg, this.idOf(ref.split("::").slice(0, -1).join("::"))]));
            } else if (k === "deletedWith" && typeof v === "string") {
                out[k] = this.idOf(v);
            } else {
                out[k] = v;
            }
        }
        return out;
    }

    private plain(v: Record<string, Wire>): Plain {
        const value = (reveal(v, { rewriteString: this.rewrite, nameResource: (u) => this.idOf(u) }).value ?? {}) as Plain;
        this.maskCredentials(value, "", "stack outputs");
        return value;
    }

    private parentId(urn: string): string | undefined {
        if (!urn) return undefined;
        const r = this.c.resources.find((x) => x.urn === urn);
        if (!r || r.type === "pulumi:pulumi:Stack") return undefined;
        return this.idOf(urn);
    }
}

/** Code-point order (locale-independent). */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; `vault:kv/secretV2:SecretV2` -> `SecretV2`. */
export function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

/** Every leaf replaced by "[secret]" (keys kept). */
function maskDeep(v: Plain): Plain {
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x)]));
    if (Array.isArray(v)) return v.map(maskDeep);
    return v === UNKNOWN_PLACEHOLDER ? v : SECRET_PLACEHOLDER;
}

/** Key names of a JSON object given as (possibly secret) JSON text. */
function keyNames(wire: Wire): Plain {
    if (wire === undefined) return [];
    if (containsUnknown(wire)) return UNKNOWN_PLACEHOLDER;
    const text = unwrapWireSecrets(wire);
    if (text === UNKNOWN_VALUE) return UNKNOWN_PLACEHOLDER;
    if (typeof text !== "string") return UNKNOWN_PLACEHOLDER;
    try {
        const parsed = JSON.parse(text) as unknown;
        if (isObj(parsed)) return Object.keys(parsed).sort();
    } catch {
        // not JSON
    }
    return "[not a JSON object]";
}

/** Renders a capture into files. */
export function renderCapture(c: Capture, opts: RenderOptions = {}): RenderResult {
    const r = new Renderer(c, opts);
    r.run();
    const files = new Map([...r.files.entries()].sort(([a], [b]) => compareStrings(a, b)));
    return { project: c.project, stack: c.stack, files, injectedSecrets: c.injectedSecrets, unmarkedSecrets: r.unmarked };
}
