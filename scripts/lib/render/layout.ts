/**
 * Where each registration is written, by category:
 *
 *   k8s/<namespace | _cluster>/<kind>-<name>.yaml one Kubernetes object per file
 *   k8s-components/<type>-<name>.yaml            Kubernetes component resources (e.g. a ConfigGroup)
 *   helm/<resource name>.yaml                     chart, version, repo, release options and values
 *   vault/…                                       mounts, auth backends + roles, policies (.hcl),
 *                                                 database connections (no secrets), static roles,
 *                                                 KV secrets (key names only)
 *   providers/<package>-<name>.yaml               provider configuration (credentials masked)
 *   other/<package>/<type>-<name>.yaml            everything else (random, command, …)
 */
import { Plain, UNKNOWN_PLACEHOLDER, UNKNOWN_VALUE, Wire, containsUnknown, unwrapWireSecrets } from "../wire";
import { toYaml } from "../yaml";
import { Prepared, isObj, shortType, str } from "./prepared";

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

/** The files written so far, and which file each registration went to. */
export class FileTree {
    /** Relative path -> file content. */
    readonly files = new Map<string, string>();
    /** URN -> the file its registration was written to. */
    readonly fileOf = new Map<string, string>();

    /** Writes `content` at `path` (`name~2.yaml` when taken) for `r`; returns the path used. */
    put(path: string, content: string, r: Prepared): string {
        let p = path;
        const dot = path.lastIndexOf(".");
        for (let n = 2; this.files.has(p); n++) {
            p = `${path.slice(0, dot)}~${n}${path.slice(dot)}`;
        }
        this.files.set(p, content);
        this.fileOf.set(r.r.urn, p);
        return p;
    }

    /** A YAML file headed by the registration's id. */
    yamlFile(path: string, value: unknown, r: Prepared, keepTopOrder = false): void {
        this.put(path, `# ${r.id}\n${toYaml(value, { keepTopOrder })}`, r);
    }
}

/** Writes one registration's file, if its category has one (stack, components and reads are only indexed). */
export function layOut(p: Prepared, tree: FileTree): void {
    switch (p.category) {
        case "kubernetes":
            kubernetesFile(p, tree);
            break;
        case "helm":
            helmFile(p, tree);
            break;
        case "vault":
            vaultFile(p, tree);
            break;
        case "provider": {
            const pkg = p.r.type.slice("pulumi:providers:".length);
            tree.yamlFile(`providers/${safeSegment(pkg)}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
            break;
        }
        case "kubernetes-component":
            tree.yamlFile(`k8s-components/${safeSegment(shortType(p.r.type))}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
            break;
        case "other": {
            const pkg = p.r.type.split(":")[0]!;
            tree.yamlFile(`other/${safeSegment(pkg)}/${safeSegment(shortType(p.r.type))}-${safeSegment(p.r.name)}.yaml`, p.inputs, p);
            break;
        }
        default:
            break;
    }
}

function kubernetesFile(p: Prepared, tree: FileTree): void {
    const obj = p.inputs;
    const md = isObj(obj.metadata) ? obj.metadata : {};
    const kind = str(obj.kind) ?? shortType(p.r.type);
    const name = str(md.name) ?? p.r.name;
    const ns = str(md.namespace) ?? (md.namespace !== undefined ? "_unknown" : "_cluster");
    const patch = p.r.type.endsWith("Patch") ? ".patch" : "";
    tree.yamlFile(`k8s/${safeSegment(ns)}/${safeSegment(kind.toLowerCase())}-${safeSegment(name)}${patch}.yaml`, obj, p);
}

function helmFile(p: Prepared, tree: FileTree): void {
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
    tree.yamlFile(`helm/${safeSegment(p.r.name)}.yaml`, doc, p, true);
}

const pathOf = (v: Plain | undefined, fallback: string) => safePath(str(v) ?? fallback);

/** Vault configuration as Vault's own paths: `vault/<mounts | auth | kv | database | policies | generic>/…`. */
function vaultFile(p: Prepared, tree: FileTree): void {
    const t = p.r.type;
    const i = { ...p.inputs };
    switch (t) {
        case "vault:index/policy:Policy": {
            const name = str(i.name) ?? p.r.name;
            const hcl = typeof i.policy === "string" ? i.policy : UNKNOWN_PLACEHOLDER;
            tree.put(`vault/policies/${safeSegment(name)}.hcl`, `# ${p.id}\n${hcl.endsWith("\n") ? hcl : hcl + "\n"}`, p);
            return;
        }
        case "vault:index/mount:Mount":
            tree.yamlFile(`vault/mounts/${pathOf(i.path, p.r.name)}.yaml`, i, p);
            return;
        case "vault:index/authBackend:AuthBackend":
            tree.yamlFile(`vault/auth/${pathOf(i.path ?? i.type, p.r.name)}/backend.yaml`, i, p);
            return;
        case "vault:kv/secretBackendV2:SecretBackendV2":
            tree.yamlFile(`vault/kv/${pathOf(i.mount, p.r.name)}/_config.yaml`, i, p);
            return;
        case "vault:kv/secretV2:SecretV2": {
            const { dataJson, dataJsonWo, ...rest } = i;
            void dataJson;
            void dataJsonWo;
            const keys = keyNames(p.r.inputs.dataJson ?? p.r.inputs.dataJsonWo);
            tree.yamlFile(`vault/kv/${pathOf(i.mount, "_unknown")}/${pathOf(i.name, p.r.name)}.yaml`, { ...rest, keys }, p);
            return;
        }
        case "vault:database/secretsMount:SecretsMount":
            databaseSecretsMountFiles(p, i, tree);
            return;
        case "vault:database/secretBackendConnection:SecretBackendConnection":
            tree.yamlFile(`vault/database/${pathOf(i.backend, "_unknown")}/connections/${pathOf(i.name, p.r.name)}.yaml`, i, p);
            return;
        case "vault:database/secretBackendStaticRole:SecretBackendStaticRole":
            tree.yamlFile(`vault/database/${pathOf(i.backend, "_unknown")}/static-roles/${pathOf(i.name, p.r.name)}.yaml`, i, p);
            return;
        case "vault:database/secretBackendRole:SecretBackendRole":
            tree.yamlFile(`vault/database/${pathOf(i.backend, "_unknown")}/roles/${pathOf(i.name, p.r.name)}.yaml`, i, p);
            return;
        case "vault:generic/endpoint:Endpoint":
        case "vault:generic/secret:Secret": {
            const { dataJson, ...rest } = i;
            void dataJson;
            tree.yamlFile(`vault/generic/${pathOf(i.path, p.r.name)}.yaml`, { ...rest, keys: keyNames(p.r.inputs.dataJson) }, p);
            return;
        }
        default:
            break;
    }
    const mod = /^vault:([^/]+)\/(authBackend\w*):/.exec(t);
    if (mod && /Role$/.test(mod[2]!)) {
        const role = str(i.roleName) ?? str(i.name) ?? p.r.name;
        tree.yamlFile(`vault/auth/${pathOf(i.backend, mod[1]!)}/roles/${safeSegment(role)}.yaml`, i, p);
        return;
    }
    if (mod && /Config$/.test(mod[2]!)) {
        tree.yamlFile(`vault/auth/${pathOf(i.backend, mod[1]!)}/config.yaml`, i, p);
        return;
    }
    tree.yamlFile(`vault/other/${safeSegment(shortType(t))}-${safeSegment(p.r.name)}.yaml`, i, p);
}

/** A database secrets mount: the mount's settings, and one file per connection it declares inline. */
function databaseSecretsMountFiles(p: Prepared, i: { [k: string]: Plain }, tree: FileTree): void {
    const mount = pathOf(i.path, p.r.name);
    const settings: Record<string, Plain> = {};
    for (const [k, v] of Object.entries(i)) {
        if (Array.isArray(v) && v.every((c) => isObj(c) && "name" in c)) {
            // One list per database plugin (postgresqls, mysqls, …): each entry is a connection.
            v.forEach((conn, n) => {
                const c = conn as { [k: string]: Plain };
                const connName = str(c.name) ?? `${k}-${n}`;
                tree.yamlFile(`vault/database/${mount}/connections/${safeSegment(connName)}.yaml`, { plugin: k.replace(/s$/, ""), ...c }, p);
            });
            settings[k] = v.map((c) => (isObj(c) ? c.name ?? null : null));
        } else {
            settings[k] = v;
        }
    }
    tree.yamlFile(`vault/mounts/${mount}.yaml`, { type: "database", ...settings }, p);
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
