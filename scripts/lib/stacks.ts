/**
 * Stack files (`Pulumi.<stack>.yaml`) and project file (`Pulumi.yaml`) at the repo root, read the
 * way `pulumi` would hand them to the program — without a Pulumi CLI, backend or passphrase.
 * `secure:` values cannot be decrypted here; each becomes a deterministic mock secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { mockSecretValue } from "./mockValues";

/** The stack names of every `Pulumi.<stack>.yaml` in `repoRoot`, sorted. */
export function discoverStacks(repoRoot: string): string[] {
    return fs
        .readdirSync(repoRoot)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** A stack's configuration as the program would see it. */
export interface StackFile {
    project: string;
    stack: string;
    /** `ns:key` -> string (non-strings JSON-encoded, as `pulumi` passes them). */
    config: Record<string, string>;
    /** Keys whose values were `secure:` (now mock secrets). */
    secretKeys: string[];
    /** The mock values put in place of `secure:` values. */
    injectedSecrets: string[];
}

function readYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${path.basename(file)}: ${e instanceof Error ? e.message : String(e)}`);
    }
}

function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** True for `{ secure: "..." }` anywhere in a config value. */
function hasSecure(v: unknown): boolean {
    if (Array.isArray(v)) return v.some(hasSecure);
    if (!isObject(v)) return false;
    if (Object.keys(v).length === 1 && typeof v.secure === "string") return true;
    return Object.values(v).some(hasSecure);
}

function replaceSecure(v: unknown, seed: string, injected: string[]): unknown {
    if (Array.isArray(v)) return v.map((x, i) => replaceSecure(x, `${seed}[${i}]`, injected));
    if (!isObject(v)) return v;
    if (Object.keys(v).length === 1 && typeof v.secure === "string") {
        const value = mockSecretValue(`config:${seed}`, 40);
        injected.push(value);
        return value;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x, `${seed}.${k}`, injected)]));
}

/**
 * Reads `Pulumi.yaml` (project name and config defaults) and `Pulumi.<stack>.yaml`, or the stack
 * file at `stackPath` instead (a stack file kept outside the root, e.g. docs/Pulumi.example.yaml).
 */
export function loadStackFile(repoRoot: string, stack: string, stackPath?: string): StackFile {
    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(repoRoot, f)).find((f) => fs.existsSync(f));
    const project = projectFile ? readYaml(projectFile) : {};
    const projectName = isObject(project) && typeof project.name === "string" ? project.name : "vaultkit";
    const stackFile = stackPath ?? ["yaml", "yml"].map((e) => path.join(repoRoot, `Pulumi.${stack}.${e}`)).find((f) => fs.existsSync(f));
    if (!stackFile) {
        throw new Error(`no stack file Pulumi.${stack}.yaml in ${repoRoot} (stacks: ${discoverStacks(repoRoot).join(", ") || "none"})`);
    }
    const stackDoc = readYaml(stackFile);
    const raw: Record<string, unknown> = {};
    // Project-level defaults: `config: { ns:key: { default: v } }` or `{ value: v }`.
    if (isObject(project) && isObject(project.config)) {
        for (const [k, v] of Object.entries(project.config)) {
            const key = k.includes(":") ? k : `${projectName}:${k}`;
            if (isObject(v) && ("default" in v || "value" in v)) {
                raw[key] = "value" in v ? v.value : v.default;
            } else if (!isObject(v)) {
                raw[key] = v;
            }
        }
    }
    if (isObject(stackDoc) && isObject(stackDoc.config)) {
        for (const [k, v] of Object.entries(stackDoc.config)) {
            raw[k.includes(":") ? k : `${projectName}:${k}`] = v;
        }
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const injectedSecrets: string[] = [];
    for (const key of Object.keys(raw).sort()) {
        let v = raw[key];
        if (hasSecure(v)) {
            secretKeys.push(key);
            v = replaceSecure(v, `${stack}:${key}`, injectedSecrets);
        }
        if (v === null || v === undefined) continue;
        config[key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { project: projectName, stack, config, secretKeys, injectedSecrets };
}
