/**
 * Pure data of the delivery patterns: VSO and CSI specs, injector annotations, shell scripts,
 * pod security, propagation delays. No Pulumi engine involved.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { csiObjectsYaml, csiVolume, secretProviderClassSpec } from "../../components/delivery/csiSecretMount";
import { injectorAnnotations, kvJsonTemplate, staticCredsPasswordTemplate } from "../../components/delivery/injectedSecret";
import { propagationDelaySeconds } from "../../components/delivery/propagation";
import { POD_ROOT_VAR, psqlCheckCommand, psqlCheckLoopScript, seedPsqlCheck, vaultFetchLoopScript } from "../../components/delivery/scripts";
import { assertNotStackGresOwned } from "../../components/delivery/secretSync";
import {
    VSO_SYNCED_WAIT_FOR,
    durationString,
    vaultAuthSpec,
    vaultConnectionSpec,
    vaultStaticCredsSecretSpec,
    vaultStaticSecretSpec,
} from "../../components/delivery/vso";
import {
    deploymentManifest,
    resourceRequirements,
    restrictedContainer,
    shellQuote,
    vaultTokenVolume,
} from "../../components/delivery/workload";

const SEED_KV_DATA_PATH = "kv-v2/data/keycloak-postgresql/config";

describe("VSO specs", () => {
    it("builds the seed's VaultConnection, VaultAuth and VaultStaticSecret", () => {
        expect(vaultConnectionSpec("http://vault.vault.svc.cluster.local:8200")).toEqual({
            address: "http://vault.vault.svc.cluster.local:8200",
            skipTLSVerify: false,
        });
        expect(vaultAuthSpec({ vaultConnectionName: "vc", mount: "kubernetes", role: "keycloak-role", serviceAccount: "default" })).toEqual({
            vaultConnectionRef: "vc",
            method: "kubernetes",
            mount: "kubernetes",
            kubernetes: { role: "keycloak-role", serviceAccount: "default" },
        });
        expect(
            vaultStaticSecretSpec({
                vaultAuthName: "va",
                mount: "kv-v2",
                path: "keycloak-postgresql/config",
                refreshAfterSeconds: 30,
                destinationSecretName: "keycloak-postgresql-vault",
            }),
        ).toEqual({
            vaultAuthRef: "va",
            type: "kv-v2",
            mount: "kv-v2",
            path: "keycloak-postgresql/config",
            refreshAfter: "30s",
            hmacSecretData: true,
            destination: { name: "keycloak-postgresql-vault", create: true, overwrite: false },
        });
    });

    it("passes audiences and a CA Secret through, and refuses CA plus skip-verify", () => {
        expect(vaultAuthSpec({ vaultConnectionName: "vc", mount: "k8s", role: "r", serviceAccount: "sa", audiences: ["aud"] }).kubernetes).toEqual({
            role: "r",
            serviceAccount: "sa",
            audiences: ["aud"],
        });
        expect(vaultConnectionSpec("https://vault:8200", false, "vault-ca")).toEqual({ address: "https://vault:8200", skipTLSVerify: false, caCertSecretRef: "vault-ca" });
        expect(() => vaultConnectionSpec("https://vault:8200", true, "vault-ca")).toThrow(/mutually exclusive/);
        expect(() => vaultConnectionSpec("vault:8200")).toThrow(/http/);
    });

    it("reads static creds with a VaultDynamicSecret that restarts the consumers", () => {
        expect(
            vaultStaticCredsSecretSpec({
                vaultAuthName: "app",
                databaseMount: "database",
                staticRoleName: "app",
                destinationSecretName: "app-db-credentials",
                rolloutRestartDeployments: ["app"],
            }),
        ).toEqual({
            vaultAuthRef: "app",
            mount: "database",
            path: "static-creds/app",
            allowStaticCreds: true,
            destination: { name: "app-db-credentials", create: true, overwrite: false },
            rolloutRestartTargets: [{ kind: "Deployment", name: "app" }],
        });
        expect(() =>
            vaultStaticCredsSecretSpec({ vaultAuthName: "a", databaseMount: "database", staticRoleName: "a/b", destinationSecretName: "d", rolloutRestartDeployments: ["x"] }),
        ).toThrow(/without '\/'/);
    });

    it("refuses KV paths that carry the API 'data/' prefix, and bad durations", () => {
        expect(() =>
            vaultStaticSecretSpec({ vaultAuthName: "a", mount: "kv-v2", path: "data/keycloak-postgresql/config", refreshAfterSeconds: 30, destinationSecretName: "d" }),
        ).toThrow(/without the mount or 'data\/' prefix/);
        expect(durationString(90)).toBe("90s");
        expect(() => durationString(0)).toThrow();
        expect(() => durationString(1.5)).toThrow();
    });

    it("waits for VSO's secretMAC, which is written only after a successful sync", () => {
        expect(VSO_SYNCED_WAIT_FOR).toBe("jsonpath={.status.secretMAC}");
    });

    it("refuses the Secret name StackGres owns", () => {
        expect(() => assertNotStackGresOwned("keycloak-postgresql", "keycloak-postgresql")).toThrow(
            /Secret StackGres creates and owns for SGCluster 'keycloak-postgresql'.*e\.g\. 'keycloak-postgresql-vault'/,
        );
        expect(() => assertNotStackGresOwned("keycloak-postgresql-vault", "keycloak-postgresql")).not.toThrow();
    });
});

describe("CSI", () => {
    it("renders the seed's objects YAML: one file with the whole response, no secretKey", () => {
        const text = csiObjectsYaml([{ objectName: "keycloak-postgresql-vault", apiPath: SEED_KV_DATA_PATH }]);
        expect(text).toBe("- objectName: keycloak-postgresql-vault\n  secretPath: kv-v2/data/keycloak-postgresql/config\n");
        expect(YAML.parse(text)).toEqual([{ objectName: "keycloak-postgresql-vault", secretPath: SEED_KV_DATA_PATH }]);
    });

    it("adds secretKey for single values and refuses empty or duplicate lists", () => {
        expect(YAML.parse(csiObjectsYaml([{ objectName: "password", apiPath: "database/static-creds/app", secretKey: "password" }]))).toEqual([
            { objectName: "password", secretPath: "database/static-creds/app", secretKey: "password" },
        ]);
        expect(() => csiObjectsYaml([])).toThrow(/at least one/);
        expect(() =>
            csiObjectsYaml([
                { objectName: "a", apiPath: "x/y" },
                { objectName: "a", apiPath: "x/z" },
            ]),
        ).toThrow(/twice/);
        expect(() => csiObjectsYaml([{ objectName: "..", apiPath: "x/y" }])).toThrow(/file name/);
        expect(() => csiObjectsYaml([{ objectName: "../etc", apiPath: "x/y" }])).toThrow(/file name/);
        expect(() => csiObjectsYaml([{ objectName: "app.password", apiPath: "x/y" }])).not.toThrow();
        expect(() => csiObjectsYaml([{ objectName: "a/b", apiPath: "x/y" }])).toThrow(/file name/);
    });

    it("builds a vault SecretProviderClass; the mount path parameter only when not the default", () => {
        expect(secretProviderClassSpec({ role: "keycloak-role", objects: [{ objectName: "f", apiPath: SEED_KV_DATA_PATH }] })).toEqual({
            provider: "vault",
            parameters: { roleName: "keycloak-role", objects: "- objectName: f\n  secretPath: kv-v2/data/keycloak-postgresql/config\n" },
        });
        const p = secretProviderClassSpec({
            role: "r",
            authMount: "k8s-east",
            audience: "https://kubernetes.default.svc",
            vaultAddress: "http://vault.vault.svc:8200",
            objects: [{ objectName: "f", apiPath: "a/b" }],
        }).parameters;
        expect(p).toMatchObject({ vaultKubernetesMountPath: "k8s-east", audience: "https://kubernetes.default.svc", vaultAddress: "http://vault.vault.svc:8200" });
        expect(secretProviderClassSpec({ role: "r", authMount: "kubernetes", objects: [{ objectName: "f", apiPath: "a/b" }] }).parameters).not.toHaveProperty(
            "vaultKubernetesMountPath",
        );
        expect(() => secretProviderClassSpec({ role: "", objects: [{ objectName: "f", apiPath: "a/b" }] })).toThrow(/login.role/);
    });

    it("mounts the driver's volume read-only", () => {
        expect(csiVolume("spc")).toEqual({
            name: "secrets-store",
            csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "spc" } },
        });
    });
});

describe("injector annotations", () => {
    it("reproduce the seed's debug pod: KV rendered as JSON into /mnt/secrets-store", () => {
        const a = injectorAnnotations({
            role: "keycloak-role",
            authMount: "kubernetes",
            files: [{ fileName: "keycloak-postgresql-vault", apiPath: SEED_KV_DATA_PATH, template: kvJsonTemplate(SEED_KV_DATA_PATH) }],
            mountPath: "/mnt/secrets-store",
        });
        expect(a).toEqual({
            "vault.hashicorp.com/agent-inject": "true",
            "vault.hashicorp.com/role": "keycloak-role",
            "vault.hashicorp.com/auth-path": "auth/kubernetes",
            "vault.hashicorp.com/agent-requests-cpu": "10m",
            "vault.hashicorp.com/agent-requests-mem": "64Mi",
            "vault.hashicorp.com/agent-limits-cpu": "200m",
            "vault.hashicorp.com/agent-limits-mem": "128Mi",
            "vault.hashicorp.com/agent-inject-secret-keycloak-postgresql-vault": SEED_KV_DATA_PATH,
            "vault.hashicorp.com/agent-inject-template-keycloak-postgresql-vault":
                '{{- with secret "kv-v2/data/keycloak-postgresql/config" -}}\n{{ .Data | toJSONPretty }}\n{{- end }}\n',
            "vault.hashicorp.com/secret-volume-path-keycloak-postgresql-vault": "/mnt/secrets-store",
        });
    });

    it("render only the password for static creds, re-render on an interval and log in with the projected token", () => {
        const a = injectorAnnotations({
            role: "app",
            authMount: "kubernetes",
            files: [{ fileName: "password", apiPath: "database/static-creds/app", template: staticCredsPasswordTemplate("database/static-creds/app") }],
            mountPath: "/mnt/secrets-store",
            staticSecretRenderIntervalSeconds: 30,
            tokenVolumeName: "vault-token",
            caSecretName: "vault-ca",
        });
        expect(a["vault.hashicorp.com/agent-inject-template-password"]).toBe('{{- with secret "database/static-creds/app" -}}{{ .Data.password }}{{- end -}}');
        expect(a["vault.hashicorp.com/template-static-secret-render-interval"]).toBe("30s");
        expect(a["vault.hashicorp.com/agent-service-account-token-volume-name"]).toBe("vault-token");
        expect(a["vault.hashicorp.com/tls-secret"]).toBe("vault-ca");
        expect(a["vault.hashicorp.com/ca-cert"]).toBe("/vault/tls/ca.crt");
    });

    it("refuse a template that reads another path than declared", () => {
        expect(() =>
            injectorAnnotations({
                role: "app",
                authMount: "kubernetes",
                files: [{ fileName: "password", apiPath: "database/static-creds/app", template: staticCredsPasswordTemplate("database/static-creds/other") }],
                mountPath: "/mnt/secrets-store",
            }),
        ).toThrow(/must read "database\/static-creds\/app"/);
        expect(() => injectorAnnotations({ role: "r", authMount: "kubernetes", files: [], mountPath: "/x" })).toThrow(/at least one/);
    });
});

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

describe("pod security", () => {
    it("always sets requests and limits", () => {
        expect(resourceRequirements()).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } });
        expect(resourceRequirements({ memoryLimit: "128Mi" }).limits).toEqual({ cpu: "100m", memory: "128Mi" });
    });

    it("refuses unpinned images", () => {
        const c = { name: "c", command: ["true"], volumeMounts: [] };
        expect(() => restrictedContainer({ ...c, image: "postgres" })).toThrow(/pinned/);
        expect(() => restrictedContainer({ ...c, image: "postgres:latest" })).toThrow(/pinned/);
        expect(restrictedContainer({ ...c, image: "docker.io/library/postgres:16.1" }).image).toBe("docker.io/library/postgres:16.1");
    });

    it("builds one-replica Deployments selecting their own pods", () => {
        const m = deploymentManifest({
            name: "d",
            namespace: "ns",
            labels: { a: "b", "app.kubernetes.io/name": "d", "app.kubernetes.io/instance": "d" },
            serviceAccountName: "sa",
            automountServiceAccountToken: false,
            containers: [],
            volumes: [],
        });
        expect(m.spec.replicas).toBe(1);
        expect(m.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "d", "app.kubernetes.io/instance": "d" } });
        expect(() => vaultTokenVolume("aud", 300)).toThrow(/600/);
        expect(vaultTokenVolume("aud")).toEqual({
            name: "vault-token",
            projected: { sources: [{ serviceAccountToken: { audience: "aud", expirationSeconds: 3600, path: "token" } }] },
        });
    });
});

describe("propagationDelaySeconds", () => {
    const intervals = { rolloutRestartSeconds: 30, csiRotationPollIntervalSeconds: 120, fetchIntervalSeconds: 30, rotationPeriodSeconds: 86400 };

    it("gives the worst case after a scheduled rotation per pattern", () => {
        expect(propagationDelaySeconds("sync", intervals)).toBe(31);
        expect(propagationDelaySeconds("injector", intervals)).toBe(2);
        expect(propagationDelaySeconds("csi", intervals)).toBe(120);
        expect(propagationDelaySeconds("direct", intervals)).toBe(30);
    });

    it("follows the configured intervals", () => {
        const faster = { ...intervals, csiRotationPollIntervalSeconds: 10, fetchIntervalSeconds: 5, rolloutRestartSeconds: 0 };
        expect(propagationDelaySeconds("csi", faster)).toBe(10);
        expect(propagationDelaySeconds("direct", faster)).toBe(5);
        expect(propagationDelaySeconds("sync", faster)).toBe(1);
    });

    it("waits up to a rotation period for manual rotations with the TTL-driven patterns", () => {
        expect(propagationDelaySeconds("sync", intervals, "manual")).toBe(86400 + 31);
        expect(propagationDelaySeconds("injector", intervals, "manual")).toBe(86402);
        expect(propagationDelaySeconds("csi", intervals, "manual")).toBe(120);
        expect(propagationDelaySeconds("direct", intervals, "manual")).toBe(30);
        expect(() => propagationDelaySeconds("sync", { ...intervals, rotationPeriodSeconds: undefined }, "manual")).toThrow(/rotationPeriodSeconds/);
        expect(() => propagationDelaySeconds("csi", { ...intervals, fetchIntervalSeconds: -1 })).toThrow(/non-negative/);
    });
});
