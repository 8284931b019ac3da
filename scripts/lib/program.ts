/**
 * Renders one stack of this repository: reads its stack file, validates the config with the
 * program's own `parseStackConfig`, runs `buildStack` under the mock engine, renders the result.
 */
import * as fs from "fs";
import * as path from "path";
import { capture, Capture, mockSecretValue } from "./engine";
import { renderCapture, RenderResult } from "./render";
import { loadStackFile } from "./stacks";
import { renderSummary } from "./summary";

/** The repository root this script lives in (scripts/lib -> ..). */
export const DEFAULT_REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The program's entry points as `stacks/` exports them. */
interface ProgramModules {
    parseStackConfig(stackName: string, raw: Record<string, unknown>, env?: { vaultToken?: string; isSecret?: (key: string) => boolean; otherConfigKeys?: string[] }): unknown;
    rawConfigFromPulumi(all: Record<string, string>): Record<string, unknown>;
    /** Absent in checkouts older than it (render-diff renders the base with this renderer). */
    configWarnings?(all: Record<string, string>): string[];
    buildStack(config: unknown): unknown;
}

async function loadProgram(repoRoot: string): Promise<ProgramModules> {
    // stacks/config/ since the config was split by section; a base checkout older than that has stacks/config.ts.
    const configFolder = path.join(repoRoot, "stacks", "config", "index.ts");
    const configModule = fs.existsSync(configFolder) ? configFolder : path.join(repoRoot, "stacks", "config.ts");
    const indexModule = path.join(repoRoot, "stacks", "index.ts");
    for (const f of [configModule, indexModule]) {
        if (!fs.existsSync(f)) {
            throw new Error(`cannot render: ${path.relative(repoRoot, f)} does not exist in ${repoRoot}`);
        }
    }
    const cfg = (await import(configModule)) as Partial<ProgramModules>;
    const idx = (await import(indexModule)) as Partial<ProgramModules>;
    if (typeof cfg.parseStackConfig !== "function" || typeof cfg.rawConfigFromPulumi !== "function") {
        throw new Error(`${path.relative(repoRoot, configModule)} must export parseStackConfig and rawConfigFromPulumi`);
    }
    if (typeof idx.buildStack !== "function") {
        throw new Error("stacks/index.ts must export buildStack(config)");
    }
    return { parseStackConfig: cfg.parseStackConfig, rawConfigFromPulumi: cfg.rawConfigFromPulumi, configWarnings: cfg.configWarnings, buildStack: idx.buildStack };
}

/** A capture plus what the program's config check warned about (also in `warnings`). */
export interface StackCapture extends Capture {
    configWarnings: string[];
}

/** Runs one stack of the repository under the mock engine (its stack file from `stackPath` when given). */
export async function captureStack(stack: string, repoRoot: string = DEFAULT_REPO_ROOT, stackPath?: string): Promise<StackCapture> {
    const file = loadStackFile(repoRoot, stack, stackPath);
    const program = await loadProgram(repoRoot);
    // An existing Vault's token may come from VAULT_TOKEN in CI; the render never reads the real one.
    const envToken = mockSecretValue(`env:${stack}:VAULT_TOKEN`, 40);
    const configWarnings = program.configWarnings?.(file.config) ?? [];
    const config = program.parseStackConfig(stack, program.rawConfigFromPulumi(file.config), {
        vaultToken: envToken,
        isSecret: (key) => file.secretKeys.includes(`${file.project}:${key}`),
        // Provider config of other namespaces (`kubernetes:context`) is refused as `pulumi up` refuses it.
        otherConfigKeys: Object.keys(file.config).filter((k) => !k.startsWith(`${file.project}:`)),
    });
    const captured = await capture({
        project: file.project,
        stack,
        config: file.config,
        secretConfigKeys: file.secretKeys,
        injectedSecrets: [...file.injectedSecrets, envToken],
        program: () => program.buildStack(config),
    });
    return { ...captured, warnings: [...configWarnings, ...captured.warnings], configWarnings };
}

/** The file a render folder starts with: what a reviewer reads first (scripts/lib/summary.ts). */
export const SUMMARY_FILE = "SUMMARY.md";

/** Runs and renders one stack, with its SUMMARY.md. */
export async function renderStack(stack: string, repoRoot: string = DEFAULT_REPO_ROOT, stackPath?: string): Promise<RenderResult & { configWarnings: string[] }> {
    const captured = await captureStack(stack, repoRoot, stackPath);
    const result = renderCapture(captured, { repoRoot });
    // Upper case sorts before the lower-case folders and index.yaml, here and in `ls`.
    const files = new Map([[SUMMARY_FILE, renderSummary(result.files)], ...result.files]);
    return { ...result, files, configWarnings: captured.configWarnings };
}

/** The marker that says a directory holds a render (and may be replaced). */
const MARKER = "index.yaml";

/**
 * Writes a rendered tree to `outDir`, replacing a previous render there. Refuses to empty a
 * non-empty directory that does not look like a render.
 */
export function writeTree(result: RenderResult, outDir: string): void {
    if (fs.existsSync(outDir)) {
        const entries = fs.readdirSync(outDir);
        if (entries.length > 0 && !entries.includes(MARKER)) {
            throw new Error(`refusing to overwrite ${outDir}: it is not empty and has no ${MARKER} (not a previous render)`);
        }
        fs.rmSync(outDir, { recursive: true, force: true });
    }
    for (const [rel, content] of result.files) {
        const target = path.join(outDir, rel);
        if (!path.resolve(target).startsWith(path.resolve(outDir) + path.sep)) {
            throw new Error(`refusing to write outside ${outDir}: ${rel}`);
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
    }
}

/** Reads a rendered tree from disk (relative path -> content), sorted. */
export function readTree(dir: string): Map<string, string> {
    const out: [string, string][] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, e.name);
            if (e.isDirectory()) walk(full);
            else out.push([path.relative(dir, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8")]);
        }
    };
    walk(dir);
    return new Map(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
