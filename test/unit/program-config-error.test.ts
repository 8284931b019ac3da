/**
 * Bad input stops the real program entry point before anything is registered: `index.ts` with an
 * invalid stack config throws a ConfigError naming every problem, and the engine has seen nothing.
 */
import { expect, it } from "vitest";
import { registrations, setupMocks } from "../support/mocks";

it("index.ts refuses invalid config before registering a single resource", async () => {
    await setupMocks({
        stack: "broken",
        config: {
            "vaultkit:platform": "openshfit",
            "vaultkit:vault": JSON.stringify({ address: "https://vault.example.com", namespace: "Vault" }),
            "vaultkit:applications": JSON.stringify([{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: "1s" }]),
        },
    });
    const error = await import("../../index").then(
        () => undefined,
        (e: Error) => e,
    );
    expect(error?.name).toBe("ConfigError");
    expect(error?.message).toContain(`vaultkit:platform: expected one of 'openshift', 'kubernetes'; given "openshfit"`);
    expect(error?.message).toContain("vaultkit:vault.namespace");
    expect(error?.message).toContain("vaultkit:applications[0].rotationPeriod");
    await new Promise((r) => setTimeout(r, 50));
    expect(registrations).toEqual([]);
});
