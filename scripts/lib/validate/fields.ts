/**
 * Unknown-field detection for built-in Kubernetes kinds. kubernetes-models' validators check types,
 * required fields and enums but accept any extra property; the API server's server-side apply
 * rejects them ("field not declared in schema"). The models' TypeScript declarations list every
 * field, so the TypeScript type checker walks each object against its kind's interface.
 */
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";

interface Loaded {
    ts: typeof TS;
    checker: TS.TypeChecker;
    types: Map<string, TS.Type>;
}

const VIRTUAL = "__vaultkit_builtin_kinds__.ts";

function findNodeModules(): string {
    for (let d = __dirname; ; d = path.dirname(d)) {
        const nm = path.join(d, "node_modules");
        if (fs.existsSync(path.join(nm, "kubernetes-models"))) return nm;
        if (path.dirname(d) === d) throw new Error("kubernetes-models is not installed");
    }
}

let loaded: Loaded | undefined;
let previous: TS.Program | undefined;
/** Common kinds are always in the program, so most trees need a single type-check. */
const requested = new Set<string>([
    "v1:ConfigMap",
    "v1:Namespace",
    "v1:Secret",
    "v1:Service",
    "v1:ServiceAccount",
    "v1:PersistentVolumeClaim",
    "apps/v1:Deployment",
    "apps/v1:StatefulSet",
    "apps/v1:DaemonSet",
    "batch/v1:Job",
    "batch/v1:CronJob",
    "rbac.authorization.k8s.io/v1:Role",
    "rbac.authorization.k8s.io/v1:RoleBinding",
    "rbac.authorization.k8s.io/v1:ClusterRole",
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "networking.k8s.io/v1:Ingress",
    "networking.k8s.io/v1:NetworkPolicy",
    "policy/v1:PodDisruptionBudget",
]);

/** Announces kinds that will be checked, so one type-checker program covers all of them. */
export function requestBuiltinKinds(kinds: { apiVersion: string; kind: string }[]): void {
    for (const { apiVersion, kind } of kinds) {
        const key = keyOf(apiVersion, kind);
        if (/^[A-Za-z0-9./-]+:[A-Z][A-Za-z0-9]*$/.test(key) && !requested.has(key)) {
            requested.add(key);
            loaded = undefined;
        }
    }
}

function keyOf(apiVersion: string, kind: string): string {
    return `${apiVersion}:${kind}`;
}

/** Compiles one program covering every kind requested so far. */
function load(): Loaded {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const base = path.dirname(findNodeModules());
    const file = path.join(base, VIRTUAL);
    const kinds = [...requested].sort();
    const source =
        kinds
            .map((k, i) => {
                const [apiVersion, kind] = k.split(":") as [string, string];
                return `import type { I${kind} as T${i} } from "kubernetes-models/${apiVersion}/${kind}";\nexport type K${i} = T${i};`;
            })
            .join("\n") + "\nexport {};\n";
    const options: TS.CompilerOptions = {
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        lib: ["lib.es5.d.ts"],
        types: [],
        skipLibCheck: true,
        noEmit: true,
        strict: true,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, onError, create) =>
        path.resolve(name) === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError, create);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (path.resolve(name) === file ? source : readFile(name));
    const program = ts.createProgram([file], options, host, previous);
    previous = program;
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(file)!;
    const types = new Map<string, TS.Type>();
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
    kinds.forEach((k, i) => {
        const sym = exports.find((e) => e.name === `K${i}`);
        if (!sym) return;
        const t = checker.getDeclaredTypeOfSymbol(sym);
        // An unresolved import gives an error type with no properties: treat as "no declaration".
        if (t.getProperties().length > 0) types.set(k, t);
    });
    return { ts, checker, types };
}

/** JSON pointers of fields the kind's API does not declare (empty when the kind is unknown). */
export async function unknownBuiltinFields(apiVersion: string, kind: string, obj: unknown): Promise<string[]> {
    const key = keyOf(apiVersion, kind);
    if (!/^[A-Za-z0-9./-]+:[A-Z][A-Za-z0-9]*$/.test(key)) return [];
    if (!requested.has(key) || !loaded) {
        requested.add(key);
        loaded = load();
    }
    const type = loaded.types.get(key);
    if (!type) return [];
    const out: string[] = [];
    walk(loaded, obj, type, "", out, 0);
    return out;
}

function esc(k: string): string {
    return k.replace(/~/g, "~0").replace(/\//g, "~1");
}

function walk(l: Loaded, value: unknown, type: TS.Type, pointer: string, out: string[], depth: number): void {
    const { ts, checker } = l;
    if (depth > 64 || value === null || typeof value !== "object") return;
    const members = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (members.some((t) => t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
    if (Array.isArray(value)) {
        const arr = members.find((t) => checker.isArrayType(t));
        if (!arr) return;
        const el = checker.getTypeArguments(arr as TS.TypeReference)[0];
        if (el) value.forEach((v, i) => walk(l, v, el, `${pointer}/${i}`, out, depth + 1));
        return;
    }
    const objs = members.filter((t) => t.flags & ts.TypeFlags.Object && !checker.isArrayType(t));
    if (objs.length === 0) return;
    for (const t of objs) {
        const idx = checker.getIndexTypeOfType(t, ts.IndexKind.String);
        if (idx) {
            for (const [k, v] of Object.entries(value)) walk(l, v, idx, `${pointer}/${esc(k)}`, out, depth + 1);
            return;
        }
    }
    // A declared object with no fields (e.g. RawExtension) accepts anything.
    if (objs.every((t) => t.getProperties().length === 0)) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const prop = objs.map((t) => t.getProperty(k)).find((p) => p !== undefined);
        if (!prop) {
            out.push(`${pointer}/${esc(k)}`);
            continue;
        }
        walk(l, v, checker.getTypeOfSymbol(prop), `${pointer}/${esc(k)}`, out, depth + 1);
    }
}
