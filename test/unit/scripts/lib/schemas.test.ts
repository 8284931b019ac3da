/**
 * Where the render's --validate gets its schemas (scripts/lib/schemas.ts), and the fetch manifest
 * (scripts/lib/schemas-manifest.json) against the project's shared copies: same files, same bytes,
 * every pinned version covered.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PINNED } from "../../../../components/versions";
import { schemaFolder } from "../../../../scripts/lib/schemas";
import { pinnedCrdFamilies } from "../../../../scripts/lib/validate/crds";
import { SHARED_DIR, sharedAvailable } from "../../../support/shared";

type Manifest = { files: { path: string; url: string; sha256: string }[] };
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../../scripts/lib/schemas-manifest.json"), "utf8")) as Manifest;
/** The tests' compatibility copies (older/newer versions than the pins), fetched by CI with --also. */
const compat = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../support/schemas-compat-manifest.json"), "utf8")) as Manifest;

describe("schemaFolder", () => {
    let tmp: string;
    const saved = { ...process.env };
    const folder = (...parts: string[]) => {
        const dir = path.join(tmp, ...parts);
        fs.mkdirSync(path.join(dir, "crds"), { recursive: true });
        return dir;
    };
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-schemas-"));
        for (const k of ["VAULTKIT_SCHEMAS_DIR", "VAULTKIT_SHARED_DIR"]) delete process.env[k];
        process.env.VAULTKIT_CACHE = path.join(tmp, "cache");
        fs.mkdirSync(path.join(tmp, "repo"));
    });
    afterEach(() => {
        process.env = { ...saved };
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("finds none when there is none, and says so by returning undefined", () => {
        expect(schemaFolder(path.join(tmp, "repo"))).toBeUndefined();
    });

    it("prefers --schemas, then the environment, then ../shared, then the fetch cache", () => {
        const repo = path.join(tmp, "repo");
        const cache = folder("cache", "schemas");
        expect(schemaFolder(repo)).toEqual({ dir: cache, source: `${cache} (npm run fetch-schemas)` });
        const shared = folder("shared");
        expect(schemaFolder(repo)).toEqual({ dir: shared, source: "../shared next to the checkout" });
        process.env.VAULTKIT_SCHEMAS_DIR = folder("env");
        expect(schemaFolder(repo)!.source).toBe("$VAULTKIT_SCHEMAS_DIR");
        expect(schemaFolder(repo, folder("flag"))).toEqual({ dir: path.join(tmp, "flag"), source: "--schemas" });
    });

    it("refuses a named folder that has no crds/", () => {
        expect(() => schemaFolder(path.join(tmp, "repo"), path.join(tmp, "nope"))).toThrow(/--schemas .*nope: no crds\/ folder there .*npm run fetch-schemas -- --dest/);
    });
});

describe("schemas-manifest.json", () => {
    it("names each file once, by an https URL pinned to a commit, with a sha256", () => {
        const paths = manifest.files.map((f) => f.path);
        expect(new Set(paths).size).toBe(paths.length);
        for (const f of manifest.files) {
            expect(f.url, f.path).toMatch(/^https:\/\/[^/]+\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
            expect(f.sha256, f.path).toMatch(/^[0-9a-f]{64}$/);
        }
    });

    it("covers every pinned CRD family and the pinned chart values", () => {
        for (const fam of pinnedCrdFamilies()) expect(manifest.files.some((f) => f.path.startsWith(`crds/${fam.dir}/`)), fam.dir).toBe(true);
        expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining([`reference/vault-helm/v${PINNED.vaultChart.version}/values.schema.json`, `reference/vault-helm/v${PINNED.vaultChart.version}/values.yaml`]));
    });

    it.skipIf(!sharedAvailable())("matches the shared copies byte for byte, and lists every CRD of each pinned family", () => {
        for (const f of manifest.files) {
            const sha = createHash("sha256").update(fs.readFileSync(path.join(SHARED_DIR, f.path))).digest("hex");
            expect(sha, f.path).toBe(f.sha256);
        }
        for (const fam of pinnedCrdFamilies()) {
            const shared = fs.readdirSync(path.join(SHARED_DIR, "crds", fam.dir)).filter((x) => x.endsWith(".yaml")).map((x) => `crds/${fam.dir}/${x}`);
            expect(manifest.files.map((f) => f.path).filter((p) => p.startsWith(`crds/${fam.dir}/`)).sort()).toEqual(shared.sort());
        }
    });
});

describe("schemas-compat-manifest.json", () => {
    it("names files the pinned manifest does not, each by an https URL pinned to a commit, with a sha256", () => {
        const pinned = new Set(manifest.files.map((f) => f.path));
        const paths = compat.files.map((f) => f.path);
        expect(new Set(paths).size).toBe(paths.length);
        for (const f of compat.files) {
            expect(pinned.has(f.path), f.path).toBe(false);
            expect(f.url, f.path).toMatch(/^https:\/\/[^/]+\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
            expect(f.sha256, f.path).toMatch(/^[0-9a-f]{64}$/);
        }
    });

    it.skipIf(!sharedAvailable())("matches the copies in the schema folder byte for byte (the tests read them from there)", () => {
        for (const f of compat.files) {
            const sha = createHash("sha256").update(fs.readFileSync(path.join(SHARED_DIR, f.path))).digest("hex");
            expect(sha, f.path).toBe(f.sha256);
        }
    });
});
