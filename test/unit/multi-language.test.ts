/**
 * Every exported component passes Pulumi's own schema analyzer, the one `pulumi package add`
 * runs on a TypeScript component package: no unions, inline object types or resource-typed
 * outputs that other languages could not use.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { describe, expect, it } from "vitest";
import * as components from "../../components";
import pkg from "../../package.json";

const ROOT = path.resolve(__dirname, "../..");

const componentNames = Object.entries(components)
    .filter(([, v]) => typeof v === "function" && (v as any).prototype instanceof pulumi.ComponentResource)
    .map(([k]) => k)
    .sort();

describe("multi-language component package", () => {
    // Building the analyzer's TypeScript program takes seconds idle and half a minute on a loaded CI machine
    // (CI compiles the Go binaries in the background meanwhile): a runner limit, not a timing assertion.
    it("points `pulumi package add` at the component barrel, never at the program's index.ts", { timeout: 120_000 }, () => {
        const analyzer = new Analyzer(ROOT, pkg.name, pkg, new Set(["VaultServer"]));
        const entry: string = (analyzer as any).findProgramEntryPoint().fileName;
        expect(path.relative(ROOT, entry)).toBe(path.join("components", "index.ts"));
    });

    it("exports the components the README and PulumiPlugin.yaml promise", () => {
        expect(componentNames).toEqual([
            "ApplicationDatabaseAccess",
            "CsiSecretMount",
            "DatabaseSecretsEngine",
            "DirectVaultAccess",
            "DynamicSecretSync",
            "HelmOperator",
            "InjectedSecret",
            "OpenShiftSecretsStoreCsi",
            "OperatorReadyWait",
            "OperatorSubscription",
            "SecretSync",
            "StackGresAdminCredentials",
            "StackGresCluster",
            "SyncedSecretApp",
            "UserCredentialsApp",
            "VaultBootstrap",
            "VaultKubernetesAuth",
            "VaultServer",
        ]);
    });

    it("analyzes cleanly: every component gets a schema with inputs and outputs", { timeout: 120_000 }, () => {
        // The real package.json: its exports must lead the analyzer to the components, not the program.
        const result = new Analyzer(ROOT, pkg.name, pkg, new Set(componentNames)).analyze();
        expect(Object.keys(result.components).sort()).toEqual(componentNames);
        for (const name of componentNames) {
            expect(Object.keys(result.components[name]!.inputs).length, name).toBeGreaterThan(0);
        }
        expect(Object.keys(result.components.VaultServer!.outputs)).toEqual(expect.arrayContaining(["inClusterAddress", "externalAddress", "rootToken"]));
    });
});
