/**
 * The real engine, end to end, on the smallest program that exercises every built piece: the CLI
 * (pulumi), the Node.js language host (pulumi-language-nodejs) running a TypeScript program with
 * the repo's own @pulumi/pulumi, and a bridged provider (pulumi-resource-random). Needs no server.
 *
 * up -> outputs (secret stays secret) -> preview shows no changes -> the exported state has no
 * plaintext secret -> refresh is clean -> destroy leaves an empty stack.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendText, bareSecretPaths, cleanUp, engineBinDir, engineSandbox, leakedValues, missingBinaries, precondition, REPO_ROOT, SECRET_SIG, type EngineSandbox } from "./support/engine";

const NEEDED = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-random"];
const missing = missingBinaries(NEEDED);
const skip = precondition(missing.length === 0, `engine binaries missing in ${engineBinDir()}: ${missing.join(", ")} (run scripts/build-pulumi-engine.sh)`);

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

const config = new pulumi.Config();
const length = config.getNumber("length") ?? 24;
const password = new random.RandomPassword("smoke-password", { length, special: false });
const pet = new random.RandomPet("smoke-pet", { length: 2 });
const seed = config.requireSecret("seed");

export const passwordValue = password.result;
export const petName = pet.id;
export const seedLength = seed.apply((s) => s.length);
`;

describe.skipIf(skip !== undefined)("real engine smoke (CLI + language host + random provider)", () => {
    let sandbox: EngineSandbox;
    let projectDir: string;
    let stack: Stack;
    const seed = `seed-${Date.now()}-${Math.random().toString(36).slice(2)}`;

    beforeAll(async () => {
        sandbox = engineSandbox("smoke");
        projectDir = mkdtempSync(join(tmpdir(), "vaultkit-e2e-smoke-project-"));
        writeFileSync(join(projectDir, "Pulumi.yaml"), "name: vaultkit-e2e-smoke\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
        writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: "vaultkit-e2e-smoke", private: true, main: "index.ts" }));
        writeFileSync(join(projectDir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, skipLibCheck: true }, files: ["index.ts"] }));
        writeFileSync(join(projectDir, "index.ts"), PROGRAM);
        // The repo's node_modules: the same @pulumi/pulumi, @pulumi/random and typescript the real program uses.
        symlinkSync(join(REPO_ROOT, "node_modules"), join(projectDir, "node_modules"), "dir");

        const pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });
        stack = await LocalWorkspace.createOrSelectStack({ stackName: "smoke", workDir: projectDir }, { envVars: sandbox.env, pulumiCommand });
        await stack.setConfig("seed", { value: seed, secret: true });
        await stack.setConfig("length", { value: "24" });
    });

    afterAll(async () => {
        await cleanUp([
            ["destroy", () => stack && stack.destroy({ onOutput: () => undefined })],
            ["stack rm", () => stack && stack.workspace.removeStack(stack.name)],
            ["sandbox", () => sandbox?.dispose()],
            ["project dir", () => projectDir && rmSync(projectDir, { recursive: true, force: true })],
        ]);
    });

    let password = "";

    it("up creates the resources and keeps the password a secret output", async () => {
        const log: string[] = [];
        const up = await stack.up({ onOutput: (s) => log.push(s) });
        expect(up.summary.result, log.join("")).toBe("succeeded");
        expect(up.summary.resourceChanges?.create).toBe(3); // stack + 2 random resources
        expect(up.outputs.passwordValue.secret).toBe(true);
        password = up.outputs.passwordValue.value as string;
        expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
        expect(up.outputs.petName.secret).toBe(false);
        expect(up.outputs.petName.value).toMatch(/^[a-z]+-[a-z]+$/);
        expect(up.outputs.seedLength.value).toBe(seed.length);
    });

    it("a second preview reports no changes", async () => {
        const pv = await stack.preview({ onOutput: () => undefined });
        const kinds = Object.keys(pv.changeSummary).filter((k) => (pv.changeSummary as Record<string, number>)[k] > 0);
        expect(kinds).toEqual(["same"]);
    });

    it("the state holds the generated password and the secret config only as ciphertext", async () => {
        const { files, text } = backendText(sandbox.backendDir);
        expect(files.some((f) => f.endsWith(join("stacks", "vaultkit-e2e-smoke", "smoke.json")))).toBe(true);
        expect(text).toContain("ciphertext");
        expect(leakedValues(text, { password, seed, passphrase: sandbox.passphrase })).toEqual([]);
        // The stack's config file keeps the secret config encrypted too.
        const configFile = readFileSync(join(projectDir, "Pulumi.smoke.yaml"), "utf8");
        expect(configFile).toContain("secure:");
        expect(leakedValues(configFile, { seed })).toEqual([]);
        // exportStack() decrypts (--show-secrets), but every such value is still marked secret.
        const exported = await stack.exportStack();
        const pw = exported.deployment.resources.find((r: { type: string }) => r.type === "random:index/randomPassword:RandomPassword");
        expect(pw.outputs.result).toEqual({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(password) });
        expect(bareSecretPaths(exported, { password, seed })).toEqual([]);
    });

    it("refresh finds nothing to change", async () => {
        const r = await stack.refresh({ onOutput: () => undefined });
        expect(r.summary.result).toBe("succeeded");
        const changed = Object.entries(r.summary.resourceChanges ?? {}).filter(([k, n]) => k !== "same" && n > 0);
        expect(changed).toEqual([]);
    });

    it("destroy removes every resource", async () => {
        const d = await stack.destroy({ onOutput: () => undefined });
        expect(d.summary.result).toBe("succeeded");
        expect(d.summary.resourceChanges?.delete).toBe(3);
        const state = await stack.exportStack();
        expect(state.deployment.resources ?? []).toEqual([]);
    });
});
