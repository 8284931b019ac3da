/**
 * The upstream CustomResourceDefinitions of the versions this project pins, compiled into ajv
 * validators that behave like the API server's structural-schema checks:
 *
 *  - objects without `x-kubernetes-preserve-unknown-fields` reject unknown properties
 *    (`additionalProperties: false` is injected; the API server would prune or, with strict field
 *    validation, reject them);
 *  - `x-kubernetes-int-or-string` -> integer or string; `nullable` -> also null;
 *  - `x-kubernetes-embedded-resource` objects get apiVersion/kind/metadata;
 *  - the root gets `apiVersion`/`kind` constants and an ObjectMeta schema (labels and annotations
 *    must be strings).
 *
 * Not evaluated (no CEL engine here): `x-kubernetes-validations` rules; list-type uniqueness.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PINNED } from "../../../components/versions";

/** One family of CRDs at one pinned upstream version. */
export interface CrdFamily {
    /** Human name, e.g. "StackGres". */
    family: string;
    /** Folder under `<shared>/crds`. */
    dir: string;
    /** The version this project pins (what SOURCES.md must say the folder holds). */
    version: string;
    /** Where the pin is declared. */
    pinnedIn: string;
    /** The API groups its CRDs define (to sort a cluster's CRDs into families). */
    groups: string[];
}

/**
 * Families and the versions the project pins. StackGres, VSO and the CSI driver come from
 * components/versions.ts; OLM (operator-framework/api) and the OpenShift API are the releases the
 * seed targets (OpenShift 4.15).
 */
export function pinnedCrdFamilies(): CrdFamily[] {
    const olm = PINNED.olmApi.version;
    const openshift = PINNED.openshiftApi.version;
    return [
        { family: "StackGres", dir: `stackgres/${PINNED.stackgres.version}`, version: PINNED.stackgres.version, pinnedIn: "components/versions.ts PINNED.stackgres.version", groups: ["stackgres.io"] },
        {
            family: "Vault Secrets Operator",
            dir: `vault-secrets-operator/v${PINNED.vaultSecretsOperator.version}`,
            version: `v${PINNED.vaultSecretsOperator.version}`,
            pinnedIn: "components/versions.ts PINNED.vaultSecretsOperator.version",
            groups: ["secrets.hashicorp.com"],
        },
        {
            family: "Secrets Store CSI driver",
            dir: "secrets-store-csi-driver",
            version: `v${PINNED.secretsStoreCsi.version}`,
            pinnedIn: "components/versions.ts PINNED.secretsStoreCsi.version",
            groups: ["secrets-store.csi.x-k8s.io"],
        },
        { family: "OLM (operator-framework/api)", dir: "olm", version: olm, pinnedIn: "components/versions.ts PINNED.olmApi.version", groups: ["operators.coreos.com"] },
        {
            family: "OpenShift API",
            dir: `openshift/${openshift}`,
            version: openshift,
            pinnedIn: "components/versions.ts PINNED.openshiftApi.version",
            groups: ["route.openshift.io", "operator.openshift.io"],
        },
    ];
}

/** `folder/` -> the tag/ref SOURCES.md records for it. */
function sourcesRefs(crdsDir: string): Map<string, string> {
    const file = path.join(crdsDir, "SOURCES.md");
    const refs = new Map<string, string>();
    if (!fs.existsSync(file)) return refs;
    let current: string | undefined;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const h = /^###\s+(\S+?)\/?\s*$/.exec(line);
        if (h) {
            current = h[1]!.replace(/\/$/, "");
            continue;
        }
        const r = /tag\/ref `([^`]+)`/.exec(line);
        if (current && r) {
            refs.set(current, r[1]!.replace(/^branch\s+/, "").trim());
            current = undefined;
        }
    }
    return refs;
}

/** A served version of one CRD. */
export interface CrdVersion {
    family: CrdFamily;
    file: string;
    group: string;
    version: string;
    kind: string;
    scope: "Namespaced" | "Cluster";
    schema: Record<string, unknown>;
}

/** One CRD file, indexed by group and kind; parsed on first use. */
interface CrdFile {
    family: CrdFamily;
    file: string;
    group: string;
    kind: string;
    versions?: Map<string, CrdVersion>;
}

/** apiVersion + kind -> CRD version, for every pinned family. */
export class CrdRegistry {
    private readonly files = new Map<string, CrdFile>();
    readonly groups = new Map<string, CrdFamily>();

    /** Families whose folder is absent (only with `optional`: a cluster that serves none of their CRDs). */
    readonly absent: CrdFamily[] = [];

    /** `optional`: a missing family folder is recorded in `absent` instead of refused (a cluster-sourced folder). */
    constructor(readonly sharedDir: string, readonly families: CrdFamily[] = pinnedCrdFamilies(), optional = false) {
        if (families.length === 0) return; // no schema folder: knows no CRD
        const crdsDir = path.join(sharedDir, "crds");
        if (!fs.existsSync(crdsDir)) {
            throw new Error(`no upstream CRDs at ${crdsDir}: the schema folder needs crds/ and reference/ (docs/rendering.md, "Schemas")`);
        }
        const refs = sourcesRefs(crdsDir);
        for (const fam of families) {
            const dir = path.join(crdsDir, fam.dir);
            if (!fs.existsSync(dir) && optional) {
                this.absent.push(fam);
                continue;
            }
            if (!fs.existsSync(dir)) {
                throw new Error(`${fam.family} ${fam.version} is pinned (${fam.pinnedIn}) but ${dir} does not exist: add the upstream CRDs of that version`);
            }
            const recorded = refs.get(fam.dir);
            if (recorded !== undefined && recorded !== fam.version) {
                throw new Error(`${fam.family}: pinned ${fam.version} (${fam.pinnedIn}) but crds/SOURCES.md says ${fam.dir}/ holds ${recorded}`);
            }
            for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
                this.index(fam, path.join(dir, f));
            }
        }
    }

    /** Finds group and kind without parsing the (sometimes huge) file; parses it when the layout is unusual. */
    private index(fam: CrdFamily, file: string): void {
        const text = fs.readFileSync(file, "utf8");
        const group = /^  group:\s*["']?([A-Za-z0-9.-]+)["']?\s*$/m.exec(text)?.[1];
        const kind = /^  names:\s*\n(?:    .*\n)*?    kind:\s*["']?([A-Za-z0-9]+)["']?\s*$/m.exec(text)?.[1];
        const entries: CrdFile[] = [];
        if (group && kind && (text.match(/^kind: CustomResourceDefinition\s*$/gm) ?? []).length === 1) {
            entries.push({ family: fam, file, group, kind });
        } else {
            for (const crd of this.parse(file)) entries.push({ family: fam, file, group: crd.spec.group, kind: crd.spec.names.kind });
        }
        for (const e of entries) {
            const known = this.groups.get(e.group);
            if (known && known !== fam) throw new Error(`API group ${e.group} is defined by both ${known.family} and ${fam.family}`);
            this.groups.set(e.group, fam);
            const key = `${e.group}:${e.kind}`;
            if (this.files.has(key)) throw new Error(`two CRDs for ${e.kind}.${e.group}: ${this.files.get(key)!.file} and ${file}`);
            this.files.set(key, e);
        }
    }

    private parse(file: string): any[] {
        // merge: StackGres' SGDbOps and SGDistributedLogs CRDs share schema parts with `<<: *anchor`, which
        // kubectl and the API server resolve; without it the schema would hold a literal "<<" property.
        return YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { merge: true })
            .map((d) => d.toJSON() as any)
            .filter((d) => d && d.kind === "CustomResourceDefinition");
    }

    private versionsOf(e: CrdFile): Map<string, CrdVersion> {
        if (!e.versions) {
            e.versions = new Map();
            for (const crd of this.parse(e.file)) {
                if (crd.spec.group !== e.group || crd.spec.names.kind !== e.kind) continue;
                for (const v of crd.spec.versions ?? []) {
                    if (!v.served) continue;
                    e.versions.set(v.name, {
                        family: e.family,
                        file: path.relative(this.sharedDir, e.file),
                        group: e.group,
                        version: v.name,
                        kind: e.kind,
                        scope: crd.spec.scope,
                        schema: v.schema?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    });
                }
            }
        }
        return e.versions;
    }

    /** The served CRD version for an object, or undefined. */
    lookup(apiVersion: string, kind: string): CrdVersion | undefined {
        const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
        const e = this.files.get(`${group}:${kind}`);
        return e ? this.versionsOf(e).get(version) : undefined;
    }

    /** The family owning an API group (to say "kind not in StackGres 1.18.6"). */
    familyOfGroup(apiVersion: string): CrdFamily | undefined {
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
        return this.groups.get(group);
    }

    /** `group/version Kind` of every served CRD version of a family. */
    servedKinds(family: CrdFamily): string[] {
        const out: string[] = [];
        for (const e of this.files.values()) {
            if (e.family.dir !== family.dir) continue;
            for (const v of this.versionsOf(e).values()) out.push(`${v.group}/${v.version} ${v.kind}`);
        }
        return out.sort();
    }
}

type Schema = Record<string, any>;

const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

/** ObjectMeta as a client may send it. */
export const OBJECT_META_SCHEMA: Schema = {
    type: "object",
    additionalProperties: false,
    properties: {
        name: { type: "string", minLength: 1, maxLength: 253 },
        generateName: { type: "string" },
        namespace: { type: "string", minLength: 1, maxLength: 63 },
        labels: { type: "object", additionalProperties: { type: "string", maxLength: 63, pattern: LABEL_VALUE } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
        finalizers: { type: "array", items: { type: "string" } },
        ownerReferences: { type: "array", items: { type: "object" } },
        uid: { type: "string" },
        resourceVersion: { type: "string" },
        generation: { type: "integer" },
        selfLink: { type: "string" },
        creationTimestamp: { type: ["string", "null"] },
        deletionTimestamp: { type: "string" },
        deletionGracePeriodSeconds: { type: "integer" },
        managedFields: { type: "array" },
    },
};

function isObjectSchema(s: Schema): boolean {
    return s.type === "object" || (s.type === undefined && (s.properties !== undefined || s.additionalProperties !== undefined));
}

/**
 * Converts an OpenAPI v3 structural schema into an ajv (JSON Schema draft-07) schema with the API
 * server's unknown-field semantics. `inJunctor` is true inside allOf/anyOf/oneOf/not, where
 * structural schemas may only add value validations (no additionalProperties injected there).
 */
export function structuralToAjv(node: Schema, inJunctor = false): Schema {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return node;
    const s: Schema = { ...node };
    if (s["x-kubernetes-int-or-string"] === true) {
        delete s.type;
        if (!s.anyOf && !s.oneOf) s.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (s.nullable === true) {
        if (typeof s.type === "string") s.type = [s.type, "null"];
        else if (s.anyOf) s.anyOf = [...s.anyOf, { type: "null" }];
    }
    delete s.nullable;
    // OpenAPI 3.0 boolean exclusive bounds -> draft-07 numbers.
    if (s.exclusiveMinimum === true && typeof s.minimum === "number") {
        s.exclusiveMinimum = s.minimum;
        delete s.minimum;
    } else if (s.exclusiveMinimum === false) delete s.exclusiveMinimum;
    if (s.exclusiveMaximum === true && typeof s.maximum === "number") {
        s.exclusiveMaximum = s.maximum;
        delete s.maximum;
    } else if (s.exclusiveMaximum === false) delete s.exclusiveMaximum;
    if (s.properties) {
        s.properties = Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, structuralToAjv(v, inJunctor)]));
    }
    if (s.items) s.items = Array.isArray(s.items) ? s.items.map((x: Schema) => structuralToAjv(x, inJunctor)) : structuralToAjv(s.items, inJunctor);
    if (s.additionalProperties && typeof s.additionalProperties === "object") s.additionalProperties = structuralToAjv(s.additionalProperties, inJunctor);
    for (const j of ["allOf", "anyOf", "oneOf"]) {
        if (Array.isArray(s[j])) s[j] = s[j].map((x: Schema) => structuralToAjv(x, true));
    }
    if (s.not) s.not = structuralToAjv(s.not, true);
    if (s["x-kubernetes-embedded-resource"] === true) {
        s.type = s.type ?? "object";
        s.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: OBJECT_META_SCHEMA, ...(s.properties ?? {}) };
    }
    if (!inJunctor && isObjectSchema(s) && s["x-kubernetes-preserve-unknown-fields"] !== true && s.additionalProperties === undefined) {
        s.additionalProperties = false;
    }
    return s;
}

/** The full ajv schema for one CRD version, root included. */
export function crdRootSchema(crd: CrdVersion): Schema {
    const root = structuralToAjv(crd.schema);
    const apiVersion = `${crd.group}/${crd.version}`;
    root.type = "object";
    root.properties = {
        ...(root.properties ?? {}),
        apiVersion: { type: "string", const: apiVersion },
        kind: { type: "string", const: crd.kind },
        metadata: OBJECT_META_SCHEMA,
    };
    root.required = [...new Set([...(root.required ?? []), "apiVersion", "kind", "metadata"])];
    return root;
}
