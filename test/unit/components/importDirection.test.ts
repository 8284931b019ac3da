/**
 * The import graph of components/: imports only point down. Nothing under components/ reaches into
 * stacks/ or scripts/ (or anywhere outside components/ but packages); the domain folders (vault,
 * operators, stackgres, delivery, ...) import each other without a cycle; the floor (kubernetes/)
 * and the root files import nothing from a domain folder (the root barrel index.ts excepted: it
 * re-exports everything).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const COMPONENTS = path.join(ROOT, "components");
/** Folders every domain may build on. */
const FLOOR = new Set(["kubernetes"]);
/** The public barrel: the one file allowed to import every folder. */
const BARREL = "index.ts";

/** Every .ts file under `dir`, relative to the repo root. */
function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return tsFiles(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path.relative(ROOT, p)] : [];
    });
}

/** Module specifiers of static imports, re-exports and dynamic imports (comments stripped first). */
export function importSpecifiers(source: string): string[] {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");
    const specs: string[] = [];
    for (const re of [/\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g]) {
        for (const m of code.matchAll(re)) specs.push(m[1]!);
    }
    return specs;
}

/** The repo-relative file a relative specifier resolves to (`x` -> `x.ts` or `x/index.ts`), or undefined for a package. */
function resolve(from: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined;
    const base = path.resolve(ROOT, path.dirname(from), spec);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return path.relative(ROOT, candidate);
    }
    return path.relative(ROOT, base);
}

/** The domain folder of a file under components/ (`components/vault/x.ts` -> `vault`), or "" for a root file. */
function folderOf(file: string): string {
    const parts = path.relative(COMPONENTS, path.resolve(ROOT, file)).split(path.sep);
    return parts.length > 1 ? parts[0]! : "";
}

/** Every edge `from -> to` between repo files (relative imports only). */
function edges(files: string[]): { from: string; to: string; spec: string }[] {
    return files.flatMap((from) =>
        importSpecifiers(fs.readFileSync(path.join(ROOT, from), "utf8")).flatMap((spec) => {
            const to = resolve(from, spec);
            return to === undefined ? [] : [{ from, to, spec }];
        }),
    );
}

/** Cycles in a directed graph, each as its strongly connected component of two or more nodes (Tarjan). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const out: string[][] = [];
    const visit = (v: string): void => {
        idx.set(v, index);
        low.set(v, index++);
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!idx.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, idx.get(w)!));
            }
        }
        if (low.get(v) === idx.get(v)) {
            const scc: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                scc.push(w);
            } while (w !== v);
            if (scc.length > 1) out.push(scc.sort());
        }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    return out;
}

describe("the checker itself", () => {
    it("finds static, type-only, re-export and dynamic imports, not ones in comments", () => {
        const src = [
            'import * as k8s from "@pulumi/kubernetes";',
            'import type { A } from "./a";',
            "import {\n    B,\n    C,\n} from '../b';",
            'export { D } from "./d";',
            'export * from "./e";',
            'import "./side-effect";',
            'const f = await import("./f");',
            '// import { X } from "../../stacks/x";',
            '/* import { Y } from "../../stacks/y"; */',
        ].join("\n");
        expect(importSpecifiers(src).sort()).toEqual(["./a", "./d", "./e", "./f", "./side-effect", "../b", "@pulumi/kubernetes"].sort());
    });

    it("reports a cycle through several folders, and none in a chain", () => {
        const g = (pairs: [string, string][]) => {
            const m = new Map<string, Set<string>>();
            for (const [a, b] of pairs) m.set(a, (m.get(a) ?? new Set()).add(b));
            return m;
        };
        expect(cycles(g([["vault", "stackgres"], ["stackgres", "vault"]]))).toEqual([["stackgres", "vault"]]);
        expect(cycles(g([["a", "b"], ["b", "c"], ["c", "a"], ["c", "d"]]))).toEqual([["a", "b", "c"]]);
        expect(cycles(g([["delivery", "vault"], ["vault", "kubernetes"], ["delivery", "kubernetes"]]))).toEqual([]);
    });
});

describe("imports under components/", () => {
    const files = tsFiles(COMPONENTS);
    const all = edges(files);

    it("reads the whole tree (so the rules below cannot pass on nothing)", () => {
        expect(files.length).toBeGreaterThan(40);
        expect(all.length).toBeGreaterThan(100);
        expect(all).toContainEqual(expect.objectContaining({ from: "components/vault/vaultBootstrap.ts", to: "components/kubernetes/jobWithRbac.ts" }));
    });

    it("never leave components/ (no stacks/, scripts/, test/ or program imports)", () => {
        const outside = all.filter((e) => !e.to.startsWith(`components${path.sep}`)).map((e) => `${e.from} -> ${e.spec}`);
        expect(outside).toEqual([]);
    });

    it("every relative import resolves to a file", () => {
        const missing = all.filter((e) => !fs.existsSync(path.join(ROOT, e.to))).map((e) => `${e.from} -> ${e.spec}`);
        expect(missing).toEqual([]);
    });

    it("the floor and the root files import nothing from a domain folder", () => {
        const up = all
            .filter((e) => path.basename(e.from) !== BARREL || folderOf(e.from) !== "")
            .filter((e) => folderOf(e.from) === "" || FLOOR.has(folderOf(e.from)))
            .filter((e) => folderOf(e.to) !== "" && !FLOOR.has(folderOf(e.to)))
            .map((e) => `${e.from} -> ${e.spec}`);
        expect(up).toEqual([]);
    });

    it("domain folders import each other without a cycle (no vault <-> stackgres pair)", () => {
        const graph = new Map<string, Set<string>>();
        for (const e of all) {
            const a = folderOf(e.from);
            const b = folderOf(e.to);
            if (a === "" || b === "" || a === b || FLOOR.has(a) || FLOOR.has(b)) continue;
            graph.set(a, (graph.get(a) ?? new Set()).add(b));
        }
        const found = cycles(graph).map((c) => {
            const witnesses = all.filter((e) => c.includes(folderOf(e.from)) && c.includes(folderOf(e.to)) && folderOf(e.from) !== folderOf(e.to));
            return `${c.join(" <-> ")}: ${witnesses.map((e) => `${e.from} -> ${e.spec}`).join(", ")}`;
        });
        expect(found).toEqual([]);
    });
});
