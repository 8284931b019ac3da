/**
 * Bad input stops the real program entry point before anything is registered: `index.ts` with an
 * invalid stack config throws a RunError (printed by the CLI as its message alone, no stack trace)
 * naming every problem, schema and cross-field alike, and the engine has seen nothing.
 * test/e2e/config-error.test.ts checks the same on the real CLI's output.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect, it } from "vitest";
import { registrations, settle, setupMocks } from "../support/mocks";

it("index.ts refuses invalid config before registering a single resource", async () => {
    await setupMocks({
        stack: "broken",
        config: {
            "vaultkit:platform": "openshift",
            "vaultkit:production": "true",
            "vaultkit:vault": JSON.stringify({ address: "https://vault.example.com", namespace: "Vault" }),
            "vaultkit:vaultToken": "hvs.plain-text-token",
            "vaultkit:applications": JSON.stringify([{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: "1s" }]),
        },
    });
    const error = await import("../../index").then(
        () => undefined,
        (e: Error) => e,
    );
    expect(pulumi.RunError.isInstance(error), String(error)).toBe(true);
    expect(error!.message).toMatch(/^stack 'broken': invalid stack configuration \(5 problems\):\n/);
    expect(error!.message).toContain("  - vaultkit:vault.namespace: expected a Kubernetes namespace");
    expect(error!.message).toContain("  - vaultkit:applications[0].rotationPeriod: expected a duration from 60s");
    // cross-field rules, in the same message
    expect(error!.message).toContain("  - vaultkit:vault.server: expected 'ha' in a stack marked production");
    expect(error!.message).toContain("  - vaultkit:vaultToken: expected no token for a dev-mode Vault");
    // set without --secret: refused, never printed
    expect(error!.message).toContain("  - vaultkit:vaultToken: expected a secret value: `pulumi config set --secret vaultkit:vaultToken <value>`");
    expect(error!.message).not.toContain("plain-text-token");
    await settle();
    expect(registrations).toEqual([]);
});
