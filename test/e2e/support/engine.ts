/**
 * The real Pulumi engine for the e2e tier: binaries built by scripts/build-pulumi-engine.sh into
 * ${VAULTKIT_CACHE:-~/.cache/vaultkit}/pulumi/bin (or $VAULTKIT_PULUMI_BIN), driven through the
 * Automation API with a throw-away file backend, passphrase secrets and a private PULUMI_HOME, so
 * nothing touches ~/.pulumi, Pulumi Cloud or the network.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export const REPO_ROOT = join(__dirname, "..", "..", "..");

/** A command's exit status, its stdout, and stdout + stderr for assertion messages. */
export interface CommandResult {
    status: number | null;
    stdout: string;
    out: string;
}

/** Runs a command to completion (npm's audit and fund notices off), for the e2e files that drive npm. */
export function runCommand(cmd: string, args: string[], cwd: string): CommandResult {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
    return { status: r.status, stdout: r.stdout ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/**
 * `npm pack` of this checkout into `destDir` (it runs `prepare`, the build into bin/, as a publish would),
 * under a lock: the e2e files run two at a time, and two builds writing bin/ at once would mix their output.
 */
export function packCheckout(destDir: string): { result: CommandResult; packed: { filename: string; files: { path: string }[] } } {
    const lock = join(tmpdir(), `vaultkit-npm-pack-${createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}.lock`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = runCommand("flock", [lock, npm, "pack", "--json", "--pack-destination", destDir], REPO_ROOT);
    return { result, packed: result.status === 0 ? JSON.parse(result.stdout)[0] : { filename: "", files: [] } };
}

/** Where the engine binaries are. */
export function engineBinDir(): string {
    if (process.env.VAULTKIT_PULUMI_BIN) {
        return process.env.VAULTKIT_PULUMI_BIN;
    }
    const cache = process.env.VAULTKIT_CACHE || join(homedir(), ".cache", "vaultkit");
    return join(cache, "pulumi", "bin");
}

/** Names of the binaries in the bin dir that are missing, from `names`. */
export function missingBinaries(names: string[]): string[] {
    const dir = engineBinDir();
    return names.filter((n) => !existsSync(join(dir, n)));
}

/**
 * True when the e2e tier must run (scripts/test-e2e.sh sets VAULTKIT_E2E_REQUIRED=1): then a
 * missing binary or server is a failure, never a skip.
 */
export function e2eRequired(): boolean {
    return process.env.VAULTKIT_E2E_REQUIRED === "1";
}

/** Decides skip/fail for a precondition; returns a skip reason or undefined when it holds. */
export function precondition(ok: boolean, reason: string, requiredToo = e2eRequired()): string | undefined {
    if (ok) {
        return undefined;
    }
    if (requiredToo) {
        throw new Error(`e2e tier: ${reason}`);
    }
    console.warn(`[e2e] skipped: ${reason}`);
    return reason;
}

/**
 * Runs every cleanup step, also after one fails, then throws one error naming each failure. A
 * cleanup that swallows or only warns would hide a destroy that fails or leaves something behind.
 */
export async function cleanUp(steps: [what: string, step: () => unknown][]): Promise<void> {
    const failures: string[] = [];
    for (const [what, step] of steps) {
        try {
            await step();
        } catch (e) {
            failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    if (failures.length > 0) throw new Error(`cleanup failed:\n${failures.join("\n")}`);
}

export interface EngineSandbox {
    /** Environment for LocalWorkspace (`envVars`): PATH, backend, passphrase, PULUMI_HOME, offline switches. */
    env: Record<string, string>;
    backendDir: string;
    passphrase: string;
    /** Removes the backend and PULUMI_HOME. */
    dispose(): void;
}

/** A private file backend + PULUMI_HOME + passphrase for one test file. */
export function engineSandbox(label: string): EngineSandbox {
    const root = mkdtempSync(join(tmpdir(), `vaultkit-e2e-${label}-`));
    const backendDir = join(root, "backend");
    const home = join(root, "pulumi-home");
    mkdirSync(backendDir);
    mkdirSync(home);
    const passphrase = `e2e-${randomBytes(18).toString("hex")}`;
    const nodeDir = dirname(process.execPath);
    const env: Record<string, string> = {
        // The engine binaries first (pulumi, pulumi-language-nodejs, providers are "ambient" plugins),
        // then this very node (>= 22), then the rest.
        PATH: [engineBinDir(), nodeDir, process.env.PATH ?? ""].join(delimiter),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // Never download a plugin: every provider comes from the bin dir on PATH. (Plugins the program
        // does not use, e.g. kubernetes here, fail the best-effort pre-install quickly and are ignored.)
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        // Type checking is `npm run typecheck`'s job; the engine only needs the program transpiled.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    return {
        env,
        backendDir,
        passphrase,
        dispose: () => rmSync(root, { recursive: true, force: true }),
    };
}

/**
 * Everything the file backend holds for a stack: the checkpoint (.pulumi/stacks/<project>/<stack>.json),
 * its .bak, history and backups, concatenated. This, not `stack.exportStack()` (which runs
 * `pulumi stack export --show-secrets` and so decrypts), is what must hold no plaintext secret.
 */
export function backendText(backendDir: string): { files: string[]; text: string } {
    const files: string[] = [];
    const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const p = join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(p);
            } else if (entry.isFile()) {
                files.push(p);
            }
        }
    };
    walk(backendDir);
    return { files, text: files.map((f) => readFileSync(f, "utf8")).join("\n") };
}

/** The Pulumi secret signature: how a decrypted (`--show-secrets`) export still marks a secret value. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * In a decrypted export (`stack.exportStack()`), the JSON paths where one of `values` occurs outside
 * a secret envelope ({ [SECRET_SIG]: ..., plaintext }): those would be plaintext in the real state too.
 */
export function bareSecretPaths(exported: unknown, values: Record<string, string>): string[] {
    const found: string[] = [];
    const walk = (node: unknown, path: string): void => {
        if (typeof node === "string") {
            for (const [k, v] of Object.entries(values)) {
                if (v.length >= 8 && node.includes(v)) {
                    found.push(`${path}: ${k}`);
                }
            }
        } else if (Array.isArray(node)) {
            node.forEach((item, i) => walk(item, `${path}[${i}]`));
        } else if (node !== null && typeof node === "object") {
            if (SECRET_SIG in node) {
                return; // a secret: encrypted in the real state
            }
            for (const [k, v] of Object.entries(node)) {
                walk(v, `${path}.${k}`);
            }
        }
    };
    walk(exported, "$");
    return found;
}

/** Every string value in `values` that occurs in `haystack`, masked for the error message. */
export function leakedValues(haystack: string, values: Record<string, string>): string[] {
    return Object.entries(values)
        .filter(([, v]) => v.length >= 8 && haystack.includes(v))
        .map(([k, v]) => `${k} (${v.slice(0, 3)}…, ${v.length} chars)`);
}
