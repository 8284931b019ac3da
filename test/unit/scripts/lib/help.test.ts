/**
 * Every script a person runs answers `-h`/`--help` with its usage and exits 0 before it builds,
 * installs or starts anything (scripts/lib/help.sh for the shell scripts; the TypeScript and
 * CommonJS scripts parse their own arguments). A new script is picked up by the listing below.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

function listed(dir: string, ext: RegExp): string[] {
    return fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => ext.test(f) && fs.statSync(path.join(ROOT, dir, f)).isFile())
        .map((f) => `${dir}/${f}`);
}

const scripts = [...listed("scripts", /\.(sh|ts|cjs)$/), ...listed(".github/scripts", /\.sh$/)];

function runner(script: string): [string, string[]] {
    if (script.endsWith(".sh")) return ["bash", [script]];
    if (script.endsWith(".ts")) return [TSX, [script]];
    return [process.execPath, [script]];
}

describe("scripts --help", () => {
    it("finds the scripts", () => {
        expect(scripts).toEqual(expect.arrayContaining(["scripts/bench.ts", "scripts/render.ts", "scripts/build-openbao.sh", "scripts/test-all.sh", ".github/scripts/render-diff-markdown.sh"]));
    });

    for (const script of scripts) {
        // -h too for the shell scripts (milliseconds each); a tsx start costs about a second
        for (const flag of script.endsWith(".ts") ? ["--help"] : ["--help", "-h"]) {
            it(`${script} ${flag} prints its usage and starts nothing`, () => {
                // An empty cache: a script that ignored the flag would build or install into it.
                const cache = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-help-"));
                try {
                    const [cmd, args] = runner(script);
                    const r = spawnSync(cmd, [...args, flag], {
                        cwd: ROOT,
                        encoding: "utf8",
                        // a guard against a script that starts a long job, not a timing assertion
                        timeout: 60_000,
                        env: { ...process.env, VAULTKIT_CACHE: cache, RENDER_OUT: path.join(cache, "render"), GITHUB_OUTPUT: "" },
                    });
                    expect(r.signal, `${script} was still running after 60 s`).toBeNull();
                    expect(r.status, r.stderr).toBe(0);
                    expect(r.stdout).toMatch(/usage:/i);
                    expect(r.stdout).toContain(script.endsWith(".sh") || script.endsWith(".cjs") ? script : path.basename(script, ".ts"));
                    expect(fs.readdirSync(cache)).toEqual([]);
                } finally {
                    fs.rmSync(cache, { recursive: true, force: true });
                }
            });
        }
    }
});
