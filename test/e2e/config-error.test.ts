/**
 * A broken stack config under the real CLI: `pulumi preview` of the real program (index.ts) prints
 * one error listing every problem (schema and cross-field together, plain-text secrets refused),
 * the misspelt-namespace warning, and no stack trace or object dump; it never prints the secret
 * values. Needs only the CLI and the Node.js language host: the program stops before it registers
 * anything, so no provider and no server is involved.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanUp, engineBinDir, engineSandbox, missingBinaries, precondition, REPO_ROOT, type EngineSandbox } from "./support/engine";

const NEEDED = ["pulumi", "pulumi-language-nodejs"];
const missing = missingBinaries(NEEDED);
const skip = precondition(missing.length === 0, `engine binaries missing in ${engineBinDir()}: ${missing.join(", ")} (run scripts/build-pulumi-engine.sh)`);

const stackName = `e2e-config-error-${randomBytes(3).toString("hex")}`;
const reviewerJwt = `eyJhbGciOiJSUzI1NiJ9.plain-${randomBytes(8).toString("hex")}.sig`;
const token = `hvs.secret-${randomBytes(8).toString("hex")}`;

describe.skipIf(skip !== undefined)("a broken stack config on the real CLI", () => {
    let sandbox: EngineSandbox;
    let stack: Stack;
    let output = "";

    beforeAll(async () => {
        sandbox = engineSandbox("config-error");
        const pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });
        stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: REPO_ROOT }, { envVars: sandbox.env, pulumiCommand });
        await stack.setAllConfig({
            "vaultkit:platform": { value: "openshift" },
            "vaultkit:production": { value: "true" },
            "vaultkit:vault": { value: JSON.stringify({ address: "https://vault.apps.example.com", namespace: "Vault" }) },
            // set with --secret: accepted as a secret (refused here only because a dev Vault takes no token)
            "vaultkit:vaultToken": { value: token, secret: true },
            // set without --secret: refused as plain text
            "vaultkit:kubernetesTokenReviewerJwt": { value: reviewerJwt },
            "vaultkit:database.instances": { value: "3" },
            "vaultkit:applications": {
                value: JSON.stringify([
                    { name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: "10s" },
                    { name: "app", namespace: "rhbk", serviceAccount: "other", databaseRole: "other", rotationPeriode: "1h" },
                ]),
            },
            "valutkit:debugWorkloads": { value: JSON.stringify({ csi: true }) },
        });
        const run = await stack.preview({ onOutput: (out) => (output += out) }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(run, "the preview must fail").toBeInstanceOf(Error);
        // The CommandError carries stderr and stdout; onOutput saw stdout as it came.
        output += `\n${run!.message}`;
    });

    afterAll(async () => {
        await cleanUp([
            ["stack rm", () => stack && stack.workspace.removeStack(stack.name, { force: true })],
            // The Automation API wrote Pulumi.<stack>.yaml next to Pulumi.yaml; never leave it in the repo.
            ["stack file", () => rmSync(join(REPO_ROOT, `Pulumi.${stackName}.yaml`), { force: true })],
            ["sandbox", () => sandbox?.dispose()],
        ]);
    });

    it("lists every problem in one error, schema and cross-field alike", () => {
        expect(output).toContain(`stack '${stackName}': invalid stack configuration (9 problems):`);
        for (const line of [
            `  - vaultkit:database.instances: expected a key inside 'database': 'database.instances' was set as one flat key; use \`pulumi config set --path vaultkit:database.instances <value>\``,
            `  - vaultkit:vault.namespace: expected a Kubernetes namespace`,
            `  - vaultkit:applications[0].rotationPeriod: expected a duration from 60s to 31536000s, which is 10s; given "10s"`,
            `  - vaultkit:applications[1].rotationPeriode: no such key; did you mean 'rotationPeriod'?`,
            `  - vaultkit:vault.server: expected 'ha' in a stack marked production`,
            `  - vaultkit:applications[1].name: expected a unique application name ('app' is already used by applications[0])`,
            `  - vaultkit:kubernetesTokenReviewerJwt: expected a secret value: \`pulumi config set --secret vaultkit:kubernetesTokenReviewerJwt <value>\``,
        ]) {
            expect(output).toContain(line);
        }
        // the token set with --secret is not reported as plain text
        expect(output).not.toContain("--secret vaultkit:vaultToken");
    });

    it("prints no stack trace and no object dump", () => {
        expect(output).not.toMatch(/^\s+at .+[(:]\d+/m);
        expect(output).not.toContain("ConfigError");
        expect(output).not.toContain("problems: [");
        expect(output).not.toContain("unhandled exception");
    });

    it("warns about the key in a misspelt namespace", () => {
        expect(output).toContain("config key 'valutkit:debugWorkloads' is ignored: its namespace is 'valutkit', not 'vaultkit' (did you mean 'vaultkit:debugWorkloads'?)");
    });

    it("never prints a secret value", () => {
        expect(output).not.toContain(token);
        expect(output).not.toContain(reviewerJwt);
    });
});
