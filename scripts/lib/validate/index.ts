/**
 * Validates a rendered tree against upstream schemas:
 *
 *  - custom resources: the CRD `openAPIV3Schema` of the version the project pins (ajv, strict off,
 *    formats on, structural unknown-field semantics; see crds.ts). A custom resource whose CRD is not
 *    among the pinned upstream CRDs fails.
 *  - built-in kinds: kubernetes-models (required fields, types, enums, formats) plus unknown fields
 *    from the models' type definitions (see fields.ts).
 *  - Helm values: the chart's values.schema.json and the keys of its default values.yaml.
 *
 * Findings on "[secret]" / "[unknown until deployment]" placeholders are skipped: the real value is
 * not known offline.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { isPlaceholder } from "../wire";
import { fromYaml } from "../yaml";
import { CLUSTER_SCOPED_BUILTINS, SchemaError, loadModel, validateBuiltin } from "./core";
import { CrdRegistry, CrdVersion, crdRootSchema } from "./crds";
import { requestBuiltinKinds, unknownBuiltinFields } from "./fields";
import { CHARTS_WITH_REFERENCE, availableVersions, chartName, chartReference, unknownValueKeys } from "./helm";

/** One finding. */
export interface Violation {
    /** `Kind namespace/name`, or `helm <chart> (<file>)`. */
    object: string;
    /** The rendered file. */
    file: string;
    /** JSON pointer into the object (`/spec/postgres/version`). */
    path: string;
    message: string;
    /** The schema that found it. */
    schema: string;
}

/** What was checked against what. */
export interface CheckedObject {
    file: string;
    object: string;
    schema: string;
}

/** The outcome of validating a tree. */
export interface ValidationReport {
    violations: Violation[];
    checked: CheckedObject[];
    /** Files with no schema to check against (e.g. Helm charts without reference values). */
    notValidated: { file: string; object: string; reason: string }[];
}

/** Options for the validator. */
export interface ValidatorOptions {
    /**
     * The schema folder: `crds/` (the pinned upstream CRDs) and `reference/` (chart values and
     * schemas), laid out like the project's shared folder (docs/rendering.md). Without one, only the
     * built-in Kubernetes kinds are validated; custom resources and Helm values are reported as not
     * validated.
     */
    sharedDir?: string;
    /**
     * The folder holds what a cluster serves (scripts/lib/clusterSchemas.ts): families it serves no CRDs
     * of, and Helm values (a cluster has no chart files), are reported as not validated.
     */
    fromCluster?: boolean;
    repoRoot?: string;
}

/** Why an object was not validated when no schema folder was given. */
export const NO_SCHEMAS = "no schema folder (--schemas DIR; see docs/rendering.md)";

function byPath(a: Violation, b: Violation): number {
    return a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** `Violation` as one line. */
export function formatViolation(v: Violation): string {
    return `${v.object} [${v.file}] at ${v.path || "/"}: ${v.message} (${v.schema})`;
}

function pointerGet(root: unknown, pointer: string): unknown {
    if (pointer === "") return root;
    let cur: unknown = root;
    for (const raw of pointer.split("/").slice(1)) {
        const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
}

function esc(k: string): string {
    return k.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Turns ajv errors into (path, message) pairs, merging anyOf noise and skipping placeholders. */
export function describeErrors(errors: (ErrorObject | SchemaError)[], data: unknown, opts: { ignoreRequired?: boolean } = {}): { path: string; message: string }[] {
    const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath));
    const out: { path: string; message: string }[] = [];
    const seen = new Set<string>();
    for (const e of errors) {
        const schemaPath = (e as ErrorObject).schemaPath ?? "";
        if (anyOfPaths.has(e.instancePath) && e.keyword !== "anyOf" && e.keyword !== "oneOf" && /\/(anyOf|oneOf)\/\d+\//.test(schemaPath)) continue;
        const value = pointerGet(data, e.instancePath);
        if (isPlaceholder(value)) continue;
        let p = e.instancePath;
        let message = e.message ?? e.keyword;
        const params = e.params as Record<string, any>;
        switch (e.keyword) {
            case "required":
                if (opts.ignoreRequired) continue;
                p = `${p}/${esc(String(params.missingProperty))}`;
                message = "required field is missing";
                break;
            case "additionalProperties":
                p = `${p}/${esc(String(params.additionalProperty))}`;
                message = "unknown field (the schema does not declare it)";
                break;
            case "enum":
                message = `must be one of ${(params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}; got ${JSON.stringify(value)}`;
                break;
            case "const":
                message = `must be ${JSON.stringify(params.allowedValue)}; got ${JSON.stringify(value)}`;
                break;
            case "type":
                message = `must be ${Array.isArray(params.type) ? params.type.join(" or ") : params.type}; got ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value} ${JSON.stringify(value)?.slice(0, 60)}`;
                break;
            case "anyOf":
            case "oneOf": {
                const types = errors
                    .filter((x) => x.instancePath === e.instancePath && x.keyword === "type" && /\/(anyOf|oneOf)\/\d+\//.test((x as ErrorObject).schemaPath ?? ""))
                    .map((x) => String((x.params as Record<string, unknown>).type));
                message = types.length ? `must be ${[...new Set(types)].join(" or ")}; got ${JSON.stringify(value)?.slice(0, 60)}` : `must match one of the allowed shapes (${e.keyword})`;
                break;
            }
            default:
                break;
        }
        const key = `${p}\u0000${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: p, message });
    }
    return out;
}

/**
 * Kubernetes patterns are Go RE2 expressions; the few JavaScript cannot compile (e.g. `\_` under the
 * `u` flag) are retried without flags, and if still invalid, not checked (like an unknown format).
 */
function tolerantRegExp(pattern: string, flags: string): { test(s: string): boolean } {
    try {
        return new RegExp(pattern, flags);
    } catch {
        try {
            return new RegExp(pattern);
        } catch {
            return { test: () => true };
        }
    }
}
tolerantRegExp.code = "new RegExp";

/** Compiles and caches schemas; validates objects and Helm files. */
export class Validator {
    readonly crds: CrdRegistry;
    private readonly ajv: Ajv;
    private readonly crdSchemas = new Map<string, Record<string, unknown>>();
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(readonly opts: ValidatorOptions) {
        this.crds = opts.sharedDir ? new CrdRegistry(opts.sharedDir, undefined, opts.fromCluster) : new CrdRegistry("", []);
        this.ajv = new Ajv({
            strict: false,
            allErrors: true,
            validateFormats: true,
            allowUnionTypes: true,
            validateSchema: false,
            unicodeRegExp: false,
            code: { regExp: tolerantRegExp as never },
        });
        addFormats(this.ajv);
        // Formats Kubernetes schemas use that JSON Schema does not define: not checked by the API server either.
        for (const f of ["arn", "schema", "quantity", "int-or-string", "cidr", "hostname-or-ip"]) {
            this.ajv.addFormat(f, true);
        }
    }

    private compile(key: string, make: () => Record<string, unknown>): ValidateFunction {
        let fn = this.compiled.get(key);
        if (!fn) {
            fn = this.ajv.compile(make());
            this.compiled.set(key, fn);
        }
        return fn;
    }

    /** The schema that would validate this apiVersion/kind, for reports. */
    describeSchema(crd: CrdVersion): string {
        return `CRD ${crd.kind}.${crd.group}/${crd.version} from ${crd.family.family} ${crd.family.version} (${crd.file})`;
    }

    /** Validates one Kubernetes object. */
    async validateKubernetes(obj: unknown, file: string, opts: { patch?: boolean } = {}): Promise<{ violations: Violation[]; schema?: string; notValidated?: string }> {
        const out: Violation[] = [];
        if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
            return { violations: [{ object: "(not an object)", file, path: "", message: "expected a Kubernetes object", schema: "-" }] };
        }
        const o = obj as Record<string, any>;
        const apiVersion = typeof o.apiVersion === "string" ? o.apiVersion : "";
        const kind = typeof o.kind === "string" ? o.kind : "";
        const md = o.metadata && typeof o.metadata === "object" ? (o.metadata as Record<string, unknown>) : {};
        const name = typeof md.name === "string" ? md.name : "(no name)";
        const ns = typeof md.namespace === "string" ? md.namespace : undefined;
        const object = `${kind || "(no kind)"} ${ns ? `${ns}/` : ""}${name}`;
        const add = (p: string, message: string, schema: string) => out.push({ object, file, path: p, message, schema });
        if (!apiVersion || !kind) {
            add(!apiVersion ? "/apiVersion" : "/kind", "required field is missing", "Kubernetes object");
            return { violations: out };
        }
        if (!opts.patch && md.name === undefined && md.generateName === undefined) {
            add("/metadata/name", "required field is missing (or generateName)", "Kubernetes object");
        }
        const crd = this.crds.lookup(apiVersion, kind);
        let schema: string;
        let clusterScoped: boolean;
        if (crd) {
            schema = this.describeSchema(crd);
            const key = `crd:${apiVersion}:${kind}`;
            let root = this.crdSchemas.get(key);
            if (!root) {
                root = crdRootSchema(crd);
                this.crdSchemas.set(key, root);
            }
            const fn = this.compile(key, () => root!);
            // The API server applies a CRD's defaults before it validates (e.g. Route spec.wildcardPolicy: None).
            const defaulted = structuredClone(obj);
            applyDefaults(root, defaulted);
            fn(defaulted);
            for (const e of describeErrors(fn.errors ?? [], defaulted, { ignoreRequired: opts.patch })) add(e.path, e.message, schema);
            clusterScoped = crd.scope === "Cluster";
        } else {
            const family = this.crds.familyOfGroup(apiVersion);
            if (family) {
                add("/kind", `no CRD for ${apiVersion} ${kind} in ${family.family} ${family.version} (served: ${this.crds.servedKinds(family).join(", ")})`, `${family.family} ${family.version} CRDs`);
                return { violations: out };
            }
            const cls = await loadModel(apiVersion, kind);
            if (!cls && !this.opts.sharedDir) {
                return { violations: [], notValidated: `custom resource ${apiVersion} ${kind}: ${NO_SCHEMAS}` };
            }
            const absent = this.crds.absent.find((f) => f.groups.includes(apiVersion.split("/")[0]!));
            if (!cls && absent) {
                return { violations: [], notValidated: `custom resource ${apiVersion} ${kind}: the cluster serves no ${absent.family} CRDs (yet: the stack may install the operator)` };
            }
            if (!cls) {
                add(
                    "/kind",
                    `unknown custom resource ${apiVersion} ${kind}: no CRD among the pinned upstream CRDs and no built-in Kubernetes schema (add its CRD to the shared crds folder and to scripts/lib/validate/crds.ts, or fix apiVersion/kind)`,
                    "schema registry",
                );
                return { violations: out };
            }
            schema = `kubernetes-models ${apiVersion} ${kind}`;
            for (const e of describeErrors(await validateBuiltin(o, cls), obj, { ignoreRequired: opts.patch })) add(e.path, e.message, schema);
            for (const p of await unknownBuiltinFields(apiVersion, kind, obj)) {
                if (!isPlaceholder(pointerGet(obj, p))) add(p, "unknown field (the Kubernetes API does not declare it)", schema);
            }
            clusterScoped = CLUSTER_SCOPED_BUILTINS.has(`${apiVersion}:${kind}`);
        }
        if (!opts.patch) {
            if (clusterScoped && ns !== undefined) add("/metadata/namespace", `${kind} is cluster-scoped: metadata.namespace must not be set`, schema);
            if (!clusterScoped && ns === undefined && !isPlaceholder(md.namespace)) {
                add("/metadata/namespace", `${kind} is namespaced: set metadata.namespace (otherwise it lands in the provider's default namespace)`, schema);
            }
        }
        return { violations: out.sort(byPath), schema };
    }

    /** Validates one rendered Helm file (`helm/<name>.yaml`). */
    validateHelm(doc: unknown, file: string): { violations: Violation[]; schema?: string; notValidated?: string } {
        const d = (doc ?? {}) as Record<string, unknown>;
        const chart = typeof d.chart === "string" ? chartName(d.chart) : "";
        const version = typeof d.version === "string" ? d.version : String(d.version ?? "");
        const object = `helm ${chart || "(no chart)"}${version ? `@${version}` : ""}`;
        const out: Violation[] = [];
        const add = (p: string, message: string, schema: string) => out.push({ object, file, path: p, message, schema });
        if (!chart) {
            add("/chart", "required field is missing", "Helm chart");
            return { violations: out };
        }
        if (!version || version === "(not pinned)" || !/^v?[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$/.test(version)) {
            add("/version", `chart version must be pinned to an exact version; got ${JSON.stringify(d.version)}`, "Helm chart");
            return { violations: out };
        }
        if (!this.opts.sharedDir || this.opts.fromCluster) {
            return { violations: out, notValidated: `chart values: ${this.opts.sharedDir ? "a cluster serves no chart values (--schemas DIR for them)" : NO_SCHEMAS}` };
        }
        const ref = chartReference(this.opts.sharedDir, chart, version.replace(/^v/, ""));
        if (!ref) {
            if (CHARTS_WITH_REFERENCE.includes(chart)) {
                add("/version", `no reference values for ${chart} ${version} in the shared reference folder (available: ${availableVersions(this.opts.sharedDir, chart).join(", ") || "none"}); pin a version with reference data or add it`, "Helm chart");
                return { violations: out };
            }
            return { violations: out, notValidated: `no values schema kept for chart ${chart}` };
        }
        // Helm drops keys whose value is null (they delete the chart default) before it validates.
        const values = withoutNulls(d.values ?? {});
        const schemas: string[] = [];
        if (ref.schema) {
            const label = `${ref.schemaFile} (${chart} ${version})`;
            schemas.push(label);
            const fn = this.compile(`helm:${chart}:${version}`, () => {
                const { $schema, ...rest } = ref.schema!;
                void $schema;
                return rest;
            });
            fn(values);
            for (const e of describeErrors(fn.errors ?? [], values)) add(`/values${e.path}`, e.message, label);
        }
        if (ref.defaults !== undefined) {
            const label = `${ref.dir}/values.yaml keys (${chart} ${version})`;
            schemas.push(label);
            for (const p of unknownValueKeys(values, ref.defaults)) add(`/values${p}`, "unknown value key: the chart's values.yaml does not declare it (Helm ignores it silently)", label);
        }
        return { violations: out.sort(byPath), schema: schemas.join(" + ") };
    }
}

/** Validates every Kubernetes object and Helm chart of a rendered tree. */
export async function validateTree(files: Map<string, string>, opts: ValidatorOptions, validator?: Validator): Promise<ValidationReport> {
    const v = validator ?? new Validator(opts);
    const report: ValidationReport = { violations: [], checked: [], notValidated: [] };
    // One type-checker program for every built-in kind of the tree.
    const kinds: { apiVersion: string; kind: string }[] = [];
    for (const [file, content] of files) {
        if (!file.startsWith("k8s/")) continue;
        const o = fromYaml(content) as Record<string, unknown> | null;
        if (o && typeof o.apiVersion === "string" && typeof o.kind === "string" && !v.crds.lookup(o.apiVersion, o.kind)) {
            kinds.push({ apiVersion: o.apiVersion, kind: o.kind });
        }
    }
    requestBuiltinKinds(kinds);
    for (const [file, content] of files) {
        if (file.startsWith("k8s/") && file.endsWith(".yaml")) {
            const obj = fromYaml(content);
            const res = await v.validateKubernetes(obj, file, { patch: file.endsWith(".patch.yaml") });
            report.violations.push(...res.violations);
            if (res.schema) report.checked.push({ file, object: objectName(obj), schema: res.schema });
            if (res.notValidated) report.notValidated.push({ file, object: objectName(obj), reason: res.notValidated });
        } else if (file.startsWith("helm/") && file.endsWith(".yaml")) {
            const doc = fromYaml(content);
            const res = v.validateHelm(doc, file);
            report.violations.push(...res.violations);
            const chart = String((doc as Record<string, unknown>)?.chart ?? "");
            if (res.schema) report.checked.push({ file, object: `helm ${chart}`, schema: res.schema });
            if (res.notValidated) report.notValidated.push({ file, object: `helm ${chart}`, reason: res.notValidated });
        }
    }
    return report;
}

/** Fills in `default`s of absent properties of present objects, in place (structural-schema defaulting). */
export function applyDefaults(schema: unknown, data: unknown): void {
    if (schema === null || typeof schema !== "object") return;
    const s = schema as Record<string, any>;
    if (Array.isArray(data)) {
        if (s.items && typeof s.items === "object" && !Array.isArray(s.items)) data.forEach((x) => applyDefaults(s.items, x));
        return;
    }
    if (data === null || typeof data !== "object") return;
    const d = data as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [k, ps] of Object.entries(props)) {
        if (d[k] === undefined && ps && ps.default !== undefined) d[k] = structuredClone(ps.default);
        if (d[k] !== undefined) applyDefaults(ps, d[k]);
    }
    if (s.additionalProperties && typeof s.additionalProperties === "object") {
        for (const [k, v] of Object.entries(d)) if (!(k in props)) applyDefaults(s.additionalProperties, v);
    }
}

/** A copy without null-valued map entries (Helm's "delete this default"). */
export function withoutNulls(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(withoutNulls);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== null)
            .map(([k, x]) => [k, withoutNulls(x)]),
    );
}

function objectName(obj: unknown): string {
    const o = (obj ?? {}) as Record<string, any>;
    const md = (o.metadata ?? {}) as Record<string, unknown>;
    return `${o.kind} ${md.namespace ? `${String(md.namespace)}/` : ""}${String(md.name)}`;
}

