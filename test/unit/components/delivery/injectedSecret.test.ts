/** The injector's pod annotations and templates (components/delivery/injectedSecret.ts). No Pulumi engine involved. */
import { describe, expect, it } from "vitest";
import { injectorAnnotations, kvJsonTemplate, staticCredsPasswordTemplate } from "../../../../components/delivery/injectedSecret";

const SEED_KV_DATA_PATH = "kv-v2/data/keycloak-postgresql/config";

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
