/** The shell scripts of components/delivery/scripts.ts: the Vault fetch loop (run against a fake Vault) and the psql check. */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { POD_ROOT_VAR, psqlCheckCommand, psqlCheckLoopScript, seedPsqlCheck, vaultFetchLoopScript } from "../../../../components/delivery/scripts";
import { shellQuote } from "../../../../components/delivery/workload";

const SEED_KV_DATA_PATH = "kv-v2/data/keycloak-postgresql/config";

const FETCH = {
    vaultAddress: "http://vault.vault.svc.cluster.local:8200",
    authMount: "kubernetes",
    role: "keycloak-role",
    jwtFile: "/var/run/secrets/vault/token",
    apiPath: SEED_KV_DATA_PATH,
    outputFile: "/tmp/keycloak-postgresql-vault",
    fetchIntervalSeconds: 60,
    workDir: "/tmp/.vault-fetch",
};

/** A tool the script tests run; missing, they skip, except in CI (`CI=true`), where they fail. */
function tool(name: string, present: boolean): boolean {
    if (!present && process.env.CI === "true") throw new Error(`${name} is missing: CI=true, so the tests that run the scripts with it fail rather than skip`);
    return present;
}
const hasSh = tool("sh", spawnSync("sh", ["-c", "exit 0"]).status === 0);
const hasCurl = tool("curl", hasSh && spawnSync("sh", ["-c", "command -v curl"]).status === 0);

describe("vault fetch script", () => {
    const script = vaultFetchLoopScript(FETCH);

    it("logs in at auth/<mount>/login with role + jwt and reads the seed's path", () => {
        expect(script).toContain("VAULT_ADDR='http://vault.vault.svc.cluster.local:8200'");
        expect(script).toContain("ROLE='keycloak-role'");
        expect(script).toContain(`SECRET_PATH='${SEED_KV_DATA_PATH}'`);
        expect(script).toContain('"$VAULT_ADDR/v1/auth/$AUTH_MOUNT/login"');
        expect(script).toContain('{"role":"%s","jwt":"%s"}');
        expect(script).toContain("OUT=\"${VAULTKIT_POD_ROOT:-}\"'/tmp/keycloak-postgresql-vault'");
        expect(script).toContain("/v1/auth/token/revoke-self");
        expect(script).not.toMatch(/jq/);
    });

    it.skipIf(!hasSh)("is valid sh", () => {
        expect(() => execFileSync("sh", ["-n", "-c", script])).not.toThrow();
        expect(() => execFileSync("sh", ["-n", "-c", vaultFetchLoopScript({ ...FETCH, extractField: "password", caCertFile: "/etc/vault-ca/ca.crt" })])).not.toThrow();
    });

    it("never prints or passes on the command line the JWT, the token or the secret", () => {
        const variants = [script, vaultFetchLoopScript({ ...FETCH, extractField: "password" })];
        for (const s of variants) {
            expect(s).not.toMatch(/set -x/);
            for (const line of s.split("\n")) {
                // Anything that prints (echo/log) must not expand a secret-bearing variable or file.
                if (!/^\s*log\(\)/.test(line)) {
                    for (const m of line.matchAll(/\b(?:echo|log) ("[^"]*"|'[^']*')/g)) {
                        expect(m[1]).not.toMatch(/\$\{?(token|value|jwt)\b|\$\(cat/);
                    }
                }
                expect(line).not.toMatch(/cat "\$(OUT|WORK)/);
                // Secrets are written with the printf builtin straight into files, never curl arguments.
                // (Assignments and emptiness tests aside.)
                const uses = line.replace(/^\s*(token|value)=.*$/, "").replace(/\[ -z "\$(token|value)" \]/g, "");
                if (/\$token|\$value/.test(uses)) {
                    expect(uses).toMatch(/^\s*printf '[^']*' "\$(token|value)" > "\$(WORK\/token-header|OUT\.tmp)"/);
                }
            }
            expect(s).toMatch(/-H @"\$WORK\/token-header"/);
            expect(s).toMatch(/--data @"\$WORK\/login\.json"/);
        }
    });

    it("refuses inputs that would need shell quoting tricks", () => {
        expect(() => vaultFetchLoopScript({ ...FETCH, role: "x'; rm -rf /" })).toThrow(/role/);
        expect(() => vaultFetchLoopScript({ ...FETCH, apiPath: "kv-v2/data/*" })).toThrow(/Vault paths/);
        expect(() => vaultFetchLoopScript({ ...FETCH, outputFile: "relative" })).toThrow(/absolute/);
        expect(() => vaultFetchLoopScript({ ...FETCH, fetchIntervalSeconds: 0 })).toThrow(/fetchIntervalSeconds/);
        expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    });

    it.skipIf(!hasCurl)(
        "against a fake Vault: writes the password under $VAULTKIT_POD_ROOT, revokes each token, prints no secret",
        async () => {
            const jwt = "jwt-SECRET-abc";
            const token = "hvs.TOKEN-SECRET-xyz";
            const password = "PW-SECRET-123";
            const seen: { method: string; url: string; body: string; token?: string }[] = [];
            const server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    seen.push({ method: req.method!, url: req.url!, body, token: req.headers["x-vault-token"] as string | undefined });
                    res.setHeader("content-type", "application/json");
                    if (req.url === "/v1/auth/kubernetes/login" && JSON.parse(body).jwt === jwt && JSON.parse(body).role === "app") {
                        res.end(JSON.stringify({ auth: { client_token: token, lease_duration: 3600 } }));
                    } else if (req.url === "/v1/database/static-creds/app" && req.headers["x-vault-token"] === token) {
                        res.end(JSON.stringify({ data: { username: "app", password, ttl: 100, rotation_period: 86400 } }));
                    } else if (req.url === "/v1/auth/token/revoke-self" && req.headers["x-vault-token"] === token) {
                        res.statusCode = 204;
                        res.end();
                    } else {
                        res.statusCode = 403;
                        res.end(JSON.stringify({ errors: ["permission denied"] }));
                    }
                });
            });
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
            const port = (server.address() as { port: number }).port;
            // The in-pod paths, relocated under a directory laid out like the pod's mounts.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-fetch-"));
            fs.mkdirSync(path.join(dir, "var/run/secrets/vault"), { recursive: true });
            fs.mkdirSync(path.join(dir, "tmp"));
            fs.writeFileSync(path.join(dir, "var/run/secrets/vault/token"), jwt);
            const s = vaultFetchLoopScript({
                vaultAddress: `http://127.0.0.1:${port}`,
                authMount: "kubernetes",
                role: "app",
                jwtFile: "/var/run/secrets/vault/token",
                apiPath: "database/static-creds/app",
                outputFile: "/tmp/password",
                extractField: "password",
                fetchIntervalSeconds: 1,
                workDir: "/var/run/vault-fetch",
            });
            const child = spawn("sh", ["-c", s], { env: { ...process.env, [POD_ROOT_VAR]: dir } });
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
            // Two whole rounds (login, read, revoke), however long a loaded machine takes; then SIGTERM mid-loop.
            const revokesSeen = () => seen.filter((r) => r.url.endsWith("/revoke-self") && r.method === "POST").length;
            for (const deadline = Date.now() + 12_000; revokesSeen() < 2; await new Promise((r) => setTimeout(r, 50))) {
                if (Date.now() > deadline) throw new Error(`the fetch loop did not finish two rounds in 12 s; its output:\n${out}`);
            }
            child.kill("SIGTERM");
            await new Promise((r) => child.on("exit", r));
            server.close();

            expect(fs.readFileSync(path.join(dir, "tmp/password"), "utf8")).toBe(password);
            expect(out).toContain("read database/static-creds/app: HTTP 200");
            for (const secret of [jwt, token, password]) {
                expect(out).not.toContain(secret);
            }
            const logins = seen.filter((r) => r.url.endsWith("/login")).length;
            const revokes = seen.filter((r) => r.url.endsWith("/revoke-self") && r.method === "POST").length;
            expect(logins).toBeGreaterThanOrEqual(2);
            // Every round revokes its token; SIGTERM mid-round revokes on the way out, except in the
            // instant between the login response and writing the header file.
            expect(revokes).toBeGreaterThanOrEqual(logins - 1);
            expect(revokes).toBeGreaterThanOrEqual(2);
            // Scratch files holding the token or the response are gone after each round.
            expect(fs.readdirSync(path.join(dir, "var/run/vault-fetch"))).toEqual([]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
        15_000,
    );
});

describe("psql check", () => {
    const seed = {
        user: "app",
        host: "keycloak-postgresql-primary.rhbk.svc.cluster.local",
        port: 5432,
        database: "postgres",
        passwordFile: "/tmp/password",
    };

    it("documents the seed's command verbatim", () => {
        expect(seedPsqlCheck(seed)).toBe('psql postgres://app:$(cat /tmp/password)@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres -c "\\c"');
    });

    it("runs it with PGPASSWORD so the password stays out of argv", () => {
        expect(psqlCheckCommand({ ...seed, sslMode: "disable" })).toBe(
            `PGPASSWORD="$(cat "\${VAULTKIT_POD_ROOT:-}"'/tmp/password')" psql 'postgres://app@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=disable&connect_timeout=5' -X -w -c '\\c'`,
        );
        const loop = psqlCheckLoopScript(seed, 30);
        expect(loop).toContain("sleep 30");
        expect(loop).toContain(psqlCheckCommand(seed));
        expect(() => psqlCheckCommand({ ...seed, user: "App; drop" })).toThrow(/role name/);
    });

    it.skipIf(!hasSh)("is valid sh", () => {
        expect(() => execFileSync("sh", ["-n", "-c", psqlCheckLoopScript(seed, 30)])).not.toThrow();
    });
});
