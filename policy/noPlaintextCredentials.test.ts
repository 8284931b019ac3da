import { describe, expect, it } from "vitest";
import { credentialValueKind, decodeBase64, isCredentialKey, isReferenceValue } from "./lib/credentials";
import { noPlaintextCredentials as policy } from "./policies";
import { deployment, preview, schemaDefaults, T, UNKNOWN, violations } from "./testing";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const generated = "q7VNx2cR9fLmT4pWzK8sYb3H"; // 24 chars, what random.RandomPassword produces

describe("credential heuristics", () => {
    it.each([
        ["password", true],
        ["superuser-password", true],
        ["DB_PASSWORD", true],
        ["dbPassword", true],
        ["password.txt", true],
        ["apiKey", true],
        ["api-key", true],
        ["vault-token", true],
        ["client_secret", true],
        ["tls.key", true],
        ["private-key", true],
        ["key", true],
        ["PGPASSWORD", true],
        ["VAULT_TOKEN", true],
        ["clientsecret", true],
        ["PGPASSWORD_FILE", false],
        ["secrets-store-provider", false],
        ["username", false],
        ["superuser-username", false],
        ["token-path", false],
        ["secret-name", false],
        ["password-file", false],
        ["public-key", false],
        ["keycloak-url", false],
        ["access-key-id", false],
        ["secret-key-ref", false],
        ["passthrough", false],
        ["ca.crt", false],
    ])("isCredentialKey(%s) = %s", (key, expected) => {
        expect(isCredentialKey(key)).toBe(expected);
    });

    it("recognises credential-shaped values", () => {
        expect(credentialValueKind("-----BEGIN RSA PRIVATE KEY-----\nMIIE...")).toBe("a PEM private key");
        expect(credentialValueKind("-----BEGIN CERTIFICATE-----\nMIIE...")).toBeUndefined();
        expect(credentialValueKind("hvs.CAESIJ0ab1cd2ef3gh4ij5kl6mn7op8")).toBe("a Vault token");
        expect(credentialValueKind("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLXNpZw")).toBe("a JSON Web Token");
        expect(credentialValueKind("AKIAABCDEFGHIJKLMNOP")).toBe("an AWS access key id");
        expect(credentialValueKind("postgresql://app:hunter2@db:5432/app")).toBe("a URL with an embedded password");
        expect(credentialValueKind("postgresql://{{username}}:{{password}}@db:5432/app")).toBeUndefined();
        expect(credentialValueKind("host=db user=app password=hunter2 sslmode=disable")).toBe("a connection string with a password");
        expect(credentialValueKind("host=db user=app password=$(PGPASSWORD)")).toBeUndefined();
        expect(credentialValueKind("https://vault.vault.svc:8200")).toBeUndefined();
    });

    it("treats templates, env references and file paths as references", () => {
        expect(isReferenceValue('{{ with secret "database/static-creds/app" }}{{ .Data.password }}{{ end }}')).toBe(true);
        expect(isReferenceValue("${DB_PASSWORD}")).toBe(true);
        expect(isReferenceValue("$(DB_PASSWORD)")).toBe(true);
        expect(isReferenceValue("/vault/secrets/password")).toBe(true);
        expect(isReferenceValue("hunter2")).toBe(false);
    });

    it("decodes base64 only when valid", () => {
        expect(decodeBase64(b64("root"))).toBe("root");
        expect(decodeBase64("not base64!")).toBeUndefined();
    });
});

describe("no-plaintext-credentials", () => {
    it("is mandatory, with defaults", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
        expect(schemaDefaults(policy)).toEqual({ minimumCredentialLength: 16, checkWorkloadEnv: true });
    });

    describe("ConfigMap", () => {
        it("rejects credential-named keys with literal values", async () => {
            const v = await violations(policy, { type: T.configMap, name: "app-config", props: { data: { DB_HOST: "db", DB_PASSWORD: "hunter2", apiKey: "abc" } } });
            expect(v).toEqual([
                expect.stringMatching(/ConfigMap 'app-config' data.DB_PASSWORD is a credential-named key with a literal value/),
                expect.stringMatching(/data.apiKey is a credential-named key/),
            ]);
        });

        it("rejects credential-shaped values under any key, also in binaryData", async () => {
            const v = await violations(policy, { type: T.configMap, props: { data: { "app.properties": "db.url=postgresql://app:hunter2@db/app" }, binaryData: { blob: b64("-----BEGIN PRIVATE KEY-----\nabc") } } });
            expect(v).toEqual([expect.stringMatching(/data.app.properties contains a URL with an embedded password/), expect.stringMatching(/binaryData.blob contains a PEM private key/)]);
        });

        it("rejects a computed (unknown at preview) value under a credential-named key", async () => {
            const v = await violations(policy, { type: T.configMap, props: preview({ data: { password: UNKNOWN.string, host: UNKNOWN.string } }) });
            expect(v).toEqual([expect.stringMatching(/data.password is a credential-named key whose value comes from another resource/)]);
        });

        it("accepts plain settings, references and templates", async () => {
            const data = {
                VAULT_ADDR: "http://vault.vault.svc.cluster.local:8200",
                "token-path": "/var/run/secrets/kubernetes.io/serviceaccount/token",
                "secret-name": "keycloak-postgresql-vault",
                password: "{{ .Data.password }}",
                PGPASSFILE: "/vault/secrets/pgpass",
            };
            expect(await violations(policy, { type: T.configMap, props: { data } })).toEqual([]);
        });
    });

    describe("Secret", () => {
        it("rejects well-known defaults (e.g. the dev root token 'root') in stringData and data", async () => {
            const v = await violations(policy, { type: T.secret, name: "vault-token", props: { stringData: { token: "root" }, data: { password: b64("changeme") } } });
            expect(v).toEqual([
                expect.stringMatching(/Secret 'vault-token' stringData.token holds the well-known default/),
                expect.stringMatching(/data.password holds the well-known default/),
            ]);
        });

        it("rejects short, hand-typed credentials", async () => {
            const v = await violations(policy, { type: T.secret, props: { stringData: { "superuser-password": "Sup3rS3cret!" } } });
            expect(v).toEqual([expect.stringMatching(/holds a 12-character credential \(minimum 16\)/)]);
            expect(await violations(policy, { type: T.secret, props: { stringData: { "superuser-password": "Sup3rS3cret!" } }, config: { minimumCredentialLength: 8 } })).toEqual([]);
        });

        it("accepts generated credentials, computed values and non-credential keys", async () => {
            expect(await violations(policy, { type: T.secret, props: { stringData: { password: generated, username: "app" }, data: { "tls.crt": b64("cert") } } })).toEqual([]);
            expect(await violations(policy, { type: T.secret, props: preview({ stringData: { password: UNKNOWN.string } }) })).toEqual([]);
            expect(await violations(policy, { type: T.secret, props: preview({ stringData: UNKNOWN.object }) })).toEqual([]);
            expect(await violations(policy, { type: T.secret, props: { stringData: { password: "" } } })).toEqual([]);
        });
    });

    describe("workload env", () => {
        it("rejects credential-named env vars with literal or computed values", async () => {
            const lit = deployment([{ name: "app", image: "app:1.0.0", env: [{ name: "PGPASSWORD", value: "hunter2" }] }]);
            expect(await violations(policy, { type: T.deployment, name: "app", props: lit })).toEqual([expect.stringMatching(/Deployment 'app' containers\[0\] \(app\) env PGPASSWORD is a credential-named env var with a literal value/)]);
            const computed = preview(deployment([{ name: "app", image: "app:1.0.0", env: [{ name: "PGPASSWORD", value: UNKNOWN.string }] }]));
            expect(await violations(policy, { type: T.deployment, props: computed })).toEqual([expect.stringMatching(/gets a computed credential as a literal env value/)]);
        });

        it("rejects credential-shaped env values in Jobs and CronJobs", async () => {
            const job = { spec: { template: { spec: { containers: [{ name: "c", image: "c:1", env: [{ name: "DATABASE_URL", value: "postgres://u:p4ss@db/x" }] }] } } } };
            expect(await violations(policy, { type: T.job, props: job })).toHaveLength(1);
            const cron = { spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: "i", image: "i:1", env: [{ name: "TOKEN", value: "hvs.CAESIJ0ab1cd2ef3gh4ij5kl6mn7op8" }] }] } } } } } };
            expect(await violations(policy, { type: T.cronJob, props: cron })).toHaveLength(1);
        });

        it("accepts valueFrom, references and plain settings; can be switched off", async () => {
            const ok = deployment([
                {
                    name: "app",
                    image: "app:1.0.0",
                    env: [
                        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                        { name: "VAULT_ADDR", value: "http://vault.vault.svc:8200" },
                        { name: "VAULT_ROLE", value: "app" },
                        { name: "PGPASSWORD_FILE", value: "/vault/secrets/password" },
                    ],
                },
            ]);
            expect(await violations(policy, { type: T.deployment, props: ok })).toEqual([]);
            const lit = deployment([{ name: "app", image: "app:1.0.0", env: [{ name: "PGPASSWORD", value: "hunter2" }] }]);
            expect(await violations(policy, { type: T.deployment, props: lit, config: { checkWorkloadEnv: false } })).toEqual([]);
        });
    });
});
