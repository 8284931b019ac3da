/**
 * Helpers for the render tests: render the fixture program or a repository stack in-process,
 * write/read trees, and search a tree for leaked secret values.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { capture } from "../../scripts/lib/engine";
import { DEFAULT_REPO_ROOT, readTree, renderStack, writeTree } from "../../scripts/lib/program";
import { RenderResult, renderCapture } from "../../scripts/lib/render";
import { discoverStacks } from "../../scripts/lib/stacks";
import { FixtureOptions, fixtureProgram } from "../render/fixtures/program";

export { readTree, renderStack, writeTree, discoverStacks };

/** The repository root. */
export const REPO_ROOT = DEFAULT_REPO_ROOT;
export { SHARED_DIR } from "./shared";

/** Renders the fixture program (see test/render/fixtures/program.ts). */
export async function renderFixture(options: FixtureOptions = {}, stack = "fixture"): Promise<RenderResult> {
    const c = await capture({ project: "vaultkit", stack, program: () => fixtureProgram(options) });
    return renderCapture(c, { repoRoot: REPO_ROOT });
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = "vaultkit-render-"): { dir: string; cleanup: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** One leaked secret: where, and in which encoding (the value itself is never printed). */
export interface Leak {
    file: string;
    secret: string;
    encoding: "plain" | "base64" | "base64url" | "json";
}

/** The forms a secret can take in a file: as is, base64 (std/url) and JSON-escaped. */
function forms(secret: string): [Leak["encoding"], string][] {
    return [
        ["plain", secret],
        ["base64", Buffer.from(secret).toString("base64").replace(/=+$/, "")],
        ["base64url", Buffer.from(secret).toString("base64url")],
        ["json", JSON.stringify(secret).slice(1, -1)],
    ];
}

/** Every occurrence of an injected secret in a tree. Secrets are described by length only. */
export function findLeaks(files: Map<string, string>, secrets: string[]): Leak[] {
    const leaks: Leak[] = [];
    secrets.forEach((s, i) => {
        if (s.length < 8) throw new Error(`injected secret #${i} is too short to search for`);
        const needles = forms(s).filter(([, n], k, all) => all.findIndex(([, m]) => m === n) === k);
        for (const [file, content] of files) {
            for (const [encoding, needle] of needles) {
                if (content.includes(needle)) leaks.push({ file, secret: `#${i} (${s.length} chars)`, encoding });
            }
        }
    });
    return leaks;
}

/** A tree as one comparable string (path headers + contents). */
export function treeText(files: Map<string, string>): string {
    return [...files].map(([p, c]) => `=== ${p}\n${c}`).join("");
}
