/**
 * stacks/load.ts: what `pulumi up` hands the config parser besides the `vaultkit:` keys, read from
 * the real runtime config store and the real process environment and filesystem.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupMocks } from "../../support/mocks";

const BASE: Record<string, string> = {
    "vaultkit:platform": "openshift",
    "vaultkit:vault": JSON.stringify({ address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" }),
};
const PROD: Record<string, string> = {
    "vaultkit:platform": "openshift",
    "vaultkit:production": "true",
    "vaultkit:vault": JSON.stringify({
        server: "ha",
        address: "https://vault.apps.example.com",
        routeHost: "vault.apps.example.com",
        caSecretName: "vault-ca",
        sealConfig: 'seal "transit" {\n  address = "https://unseal:8200"\n}',
    }),
};
const ENV_KEYS = ["VAULT_TOKEN", "VAULT_SKIP_VERIFY"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
let dir: string;
let load: () => import("../../../stacks/config").StackConfig;

/** The problems `loadStackConfig` reports for this config map (empty when it loads). */
function problems(config: Record<string, string>): string[] {
    pulumi.runtime.setAllConfig(config, []);
    try {
        load();
        return [];
    } catch (e) {
        // A RunError: the CLI prints its message alone, one `  - <key>: <expected>; given <given>` line per problem.
        expect(pulumi.RunError.isInstance(e)).toBe(true);
        return (e as Error).message.split("\n").filter((l) => l.startsWith("  - ")).map((l) => l.slice(4));
    }
}

beforeAll(async () => {
    await setupMocks({ stack: "load" });
    load = (await import("../../../stacks/load")).loadStackConfig;
    dir = mkdtempSync(join(tmpdir(), "vaultkit-load-"));
});

afterEach(() => {
    for (const k of ENV_KEYS) {
        if (savedEnv[k] === undefined) {
            delete process.env[k];
        } else {
            process.env[k] = savedEnv[k];
        }
    }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadStackConfig", () => {
    it("refuses VAULT_SKIP_VERIFY in a production stack, which the Vault provider would obey over skipTlsVerify: false", () => {
        process.env.VAULT_TOKEN = "hvs.prod";
        process.env.VAULT_SKIP_VERIFY = "true";
        expect(problems(PROD)).toEqual([expect.stringMatching(/^VAULT_SKIP_VERIFY: expected it unset in a stack marked production/)]);
        process.env.VAULT_SKIP_VERIFY = "false";
        expect(problems(PROD)).toEqual([]);
        delete process.env.VAULT_SKIP_VERIFY;
        expect(problems(PROD)).toEqual([]);
    });

    it("checks vault.caCertFile on disk: a missing file or one without a certificate is refused, a PEM file is passed on", () => {
        const missing = join(dir, "missing.crt");
        const vault = (caCertFile: string) => JSON.stringify({ address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com", caCertFile });
        expect(problems({ ...BASE, "vaultkit:vault": vault(missing) })).toEqual([expect.stringMatching(/^vaultkit:vault\.caCertFile: .*ENOENT.*router-ca/)]);
        const notPem = join(dir, "notes.txt");
        writeFileSync(notPem, "not a certificate\n");
        expect(problems({ ...BASE, "vaultkit:vault": vault(notPem) })).toEqual([expect.stringMatching(/holds no PEM certificate/)]);
        const pem = join(dir, "ingress-ca.crt");
        writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n");
        pulumi.runtime.setAllConfig({ ...BASE, "vaultkit:vault": vault(pem) }, []);
        expect(load().vault.caCertFile).toBe(pem);
    });

    it("refuses kubernetes:context and vault:address, which the program's explicit providers never read", () => {
        expect(problems({ ...BASE, "kubernetes:context": "kind-other", "vault:address": "https://elsewhere:8200" })).toEqual([
            expect.stringMatching(/^kubernetes:context: expected vaultkit:kubeContext instead/),
            expect.stringMatching(/^vault:address: expected vaultkit:vault\.address instead/),
        ]);
    });

    it("takes the token from VAULT_TOKEN when the config has none", () => {
        process.env.VAULT_TOKEN = "hvs.from-env";
        pulumi.runtime.setAllConfig(PROD, []);
        expect(load().vaultToken).toBe("hvs.from-env");
    });
});
