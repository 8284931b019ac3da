/**
 * Real-server tier: `vault.caCertFile` against an edge-terminating TLS proxy in front of the real
 * Vault server, the shape of an OpenShift edge Route whose router certificate is signed by the
 * ingress operator's self-signed CA (docs/operations.md).
 *
 * The Vault provider itself cannot be built here (engine/provider-vault/BLOCKED.md). It hands
 * `ca_cert_file` / `skip_tls_verify` to Vault's Go API client (`api.Config.ConfigureTLS`, the same as
 * `VAULT_CACERT` / `VAULT_SKIP_VERIFY`), so this test drives that client through the `vault` CLI of
 * the test server binary: the CA file a stack names verifies the edge; without it the call fails with
 * the x509 error a lab's first `pulumi up` hit; and `VAULT_SKIP_VERIFY` alone turns verification off,
 * which is why a production stack refuses to run with it set.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config";
import { testCa, type TestCa } from "../support/tls";
import { integrationEnv, SKIP_REASON, type IntegrationEnv } from "./support/env";

const env = integrationEnv();
const run = promisify(execFile);

/** The router's host for the Route (the certificate names it, as the router's wildcard does). */
const ROUTE_HOST = "vault-vault.apps.lab.example.com";

/** Forwards every request to `target` over plain HTTP, terminating TLS like the router's edge Route. */
async function edgeProxy(target: string, tls: { cert: string; key: string }): Promise<{ url: string; close(): Promise<void> }> {
    const upstream = new URL(target);
    const server = https.createServer(tls, (req, res) => {
        const forward = http.request(
            { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
            (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            },
        );
        forward.on("error", (err) => {
            res.writeHead(502);
            res.end(String(err));
        });
        req.pipe(forward);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `https://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

describe.skipIf(!env)(env ? "vault.caCertFile against an edge-terminating TLS proxy in front of the real Vault" : `vault.caCertFile — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let routerCa: TestCa | undefined;
    let proxy: Awaited<ReturnType<typeof edgeProxy>> | undefined;
    let checks = 0;
    const bin = process.env.VAULTKIT_BAO_BIN;

    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    /** `vault status` through the proxy with Vault's Go client, as the provider configures it. */
    async function status(extraEnv: Record<string, string>): Promise<{ code: number; output: string }> {
        const childEnv: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", VAULT_ADDR: proxy!.url, VAULT_TLS_SERVER_NAME: ROUTE_HOST, ...extraEnv };
        try {
            const r = await run(bin!, ["status", "-format=json"], { env: childEnv, timeout: 30_000 });
            return { code: 0, output: r.stdout };
        } catch (err) {
            const x = err as { code?: number; stdout?: string; stderr?: string };
            return { code: typeof x.code === "number" ? x.code : -1, output: `${x.stdout ?? ""}${x.stderr ?? ""}` };
        }
    }

    beforeAll(async () => {
        if (!bin) {
            throw new Error("VAULTKIT_BAO_BIN is not set (scripts/test-integration.sh sets it): the Vault CLI is the client under test");
        }
        routerCa = testCa("ingress-operator@lab", [ROUTE_HOST, "127.0.0.1"]);
        proxy = await edgeProxy(e.vaultAddr, { cert: routerCa.serverCertPem, key: routerCa.serverKeyPem });
    });

    afterAll(async () => {
        console.log(`[integration] vault.caCertFile: ${checks} checks`);
        await proxy?.close();
        routerCa?.dispose();
    });

    it("the CA file a stack names passes the config's check and verifies the edge", async () => {
        const c = parseStackConfig(
            "lab",
            { platform: "openshift", vault: { address: `https://${ROUTE_HOST}`, routeHost: ROUTE_HOST, caCertFile: routerCa!.caFile } },
            { readFile: (f) => readFileSync(f, "utf8") },
        );
        const r = await status({ VAULT_CACERT: c.vault.caCertFile! });
        check(r.code, r.output).toBe(0);
        check(JSON.parse(r.output)).toMatchObject({ initialized: true, sealed: false });
    });

    it("without it the client refuses the router's certificate, as the first `pulumi up` on a lab did", async () => {
        const r = await status({});
        check(r.code).not.toBe(0);
        check(r.output).toMatch(/x509: certificate signed by unknown authority/);
    });

    it("VAULT_SKIP_VERIFY alone switches verification off, which a production stack refuses", async () => {
        const r = await status({ VAULT_SKIP_VERIFY: "true" });
        check(r.code, r.output).toBe(0);
        let refused = "";
        try {
            parseStackConfig(
                "prod",
                {
                    platform: "openshift",
                    production: true,
                    vault: { server: "ha", address: `https://${ROUTE_HOST}`, routeHost: ROUTE_HOST, caSecretName: "vault-ca", sealConfig: 'seal "transit" {\n  address = "https://unseal:8200"\n}' },
                },
                { vaultToken: "hvs.t", vaultSkipVerify: "true" },
            );
        } catch (err) {
            refused = (err as Error).message;
        }
        check(refused).toContain("VAULT_SKIP_VERIFY: expected it unset in a stack marked production");
    });
});
