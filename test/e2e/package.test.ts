/**
 * The published package from a consumer's side: `npm pack` of this checkout, installed from the
 * tarball into a scratch project holding examples/second-team-app as it is (its package.json, with
 * the `vaultkit` dependency pointed at the tarball, and the tsconfig.json `pulumi new typescript`
 * generates: no skipLibCheck). The consumer's program type-checks against the shipped typings,
 * Node.js loads the shipped JavaScript, and the install holds one @pulumi/pulumi.
 *
 * Needs npm and the npm registry (or npm's cache: `--prefer-offline`); no engine, no server.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packCheckout, REPO_ROOT, runCommand as run } from "./support/engine";

const EXAMPLE = join(REPO_ROOT, "examples", "second-team-app");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";


describe("the npm package, packed and installed in a consumer project", () => {
    let dir: string;
    let consumer: string;
    let packed: { filename: string; files: { path: string }[] };

    beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), "vaultkit-package-"));
        // `npm pack` runs `prepare` (the build), as a publish would.
        const pack = packCheckout(dir);
        expect(pack.result.status, pack.result.out).toBe(0);
        packed = pack.packed;

        consumer = join(dir, "consumer");
        cpSync(EXAMPLE, consumer, { recursive: true, filter: (src) => !src.includes("node_modules") });
        const pkg = JSON.parse(readFileSync(join(consumer, "package.json"), "utf8"));
        pkg.dependencies.vaultkit = `file:${join(dir, packed.filename)}`;
        writeFileSync(join(consumer, "package.json"), JSON.stringify(pkg, null, 4));
        const install = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund"], consumer);
        expect(install.status, install.out).toBe(0);
    }, 900_000);

    afterAll(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("ships the compiled components and their typings, and nothing of the program", () => {
        const files = packed.files.map((f) => f.path);
        expect(files).toEqual(expect.arrayContaining(["package.json", "bin/components/index.js", "bin/components/index.d.ts", "components/index.ts", "PulumiPlugin.yaml"]));
        expect(files.filter((f) => /^(bin\/)?(stacks|scripts|test|policy)\//.test(f) || f === "index.ts")).toEqual([]);
    });

    it("type-checks the example with the tsconfig `pulumi new typescript` generates (no skipLibCheck)", () => {
        const tsconfig = JSON.parse(readFileSync(join(consumer, "tsconfig.json"), "utf8"));
        expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
        expect(readFileSync(join(consumer, "index.ts"), "utf8")).toMatch(/from "vaultkit";/);
        const tsc = run(process.execPath, [join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"], consumer);
        expect(tsc.out).toBe("");
        expect(tsc.status).toBe(0);
    });

    it("loads the compiled JavaScript in Node.js", () => {
        const load = run(process.execPath, ["-e", 'const v = require("vaultkit"); console.log(typeof v.ApplicationDatabaseAccess, typeof v.InjectedSecret)'], consumer);
        expect(load.out.trim()).toBe("function function");
    });

    it("resolves a single @pulumi/pulumi", () => {
        const ls = run(npm, ["ls", "@pulumi/pulumi", "--all", "--parseable"], consumer);
        expect(ls.status, ls.out).toBe(0);
        expect(ls.stdout.trim().split("\n")).toEqual([join(consumer, "node_modules", "@pulumi", "pulumi")]);
    });
});
