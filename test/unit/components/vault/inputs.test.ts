/**
 * The vault components' `pulumi.Input` arguments, fed as Outputs (what a Python, Go or YAML program
 * hands them from other resources): each value reaches the child that uses it, and the child
 * depends on the resource the Output came from. Plain values are checked at construction in
 * test/unit/components/vault/vaultServer.test.ts; the deferred check itself in test/unit/components/inputs.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { one, type Registration, registrations, settle, setupMocks } from "../../../support/mocks";

/** A resource whose outputs stand for another program's results (the mock engine echoes inputs as outputs). */
let source: import("@pulumi/kubernetes").core.v1.ConfigMap;
let sourceUrn: string;
let VaultKubernetesAuthClass: typeof import("../../../../components/vault/vaultKubernetesAuth").VaultKubernetesAuth;
const from = (key: string) => source.data.apply((d) => d[key]!);
const fromNumber = (key: string) => source.data.apply((d) => Number(d[key]));

/** The auth role both components bind from the same Output-valued accounts, namespace, audience and TTL. */
const ORDERS_ROLE = {
    backend: "k8s-team",
    roleName: "orders",
    boundServiceAccountNames: ["orders-sa"],
    boundServiceAccountNamespaces: ["shop"],
    tokenPolicies: ["orders-database-creds"],
    audience: "vault",
    tokenTtl: 600,
};

function dependsOnSource(r: Registration): boolean {
    return r.dependencies.includes(sourceUrn);
}

beforeAll(async () => {
    await setupMocks();
    const k8s = await import("@pulumi/kubernetes");
    const { VaultServer } = await import("../../../../components/vault/vaultServer");
    const { VaultKubernetesAuth } = await import("../../../../components/vault/vaultKubernetesAuth");
    VaultKubernetesAuthClass = VaultKubernetesAuth;
    const { DatabaseSecretsEngine } = await import("../../../../components/vault/databaseSecretsEngine");
    const { ApplicationDatabaseAccess } = await import("../../../../components/vault/applicationDatabaseAccess");
    source = new k8s.core.v1.ConfigMap("other-program", {
        metadata: { name: "other-program" },
        data: {
            namespace: "vault-ns",
            ingressHost: "vault.example.org",
            ingressClassName: "nginx",
            tlsSecretName: "vault-tls",
            sealConfig: 'seal "transit" {}',
            envName: "VAULT_TOKEN",
            caSecretName: "vault-ca",
            authPath: "k8s-team",
            apiServer: "https://api.example.org:6443",
            serviceAccount: "orders-sa",
            appNamespace: "shop",
            audience: "vault",
            ttl: "600",
            dbMount: "db-team",
            dbUser: "orders_rw",
            period: "3600",
            connection: "orders-conn",
            vaultAdmin: "vault_admin_b",
            pgHost: "pg.other-program.svc.cluster.local",
        },
    });
    new VaultServer("ha-outputs", {
        namespace: from("namespace"),
        mode: "ha",
        openshift: false,
        csiProvider: true,
        ingressHost: from("ingressHost"),
        ingressClassName: from("ingressClassName"),
        tlsSecretName: from("tlsSecretName"),
        sealConfig: from("sealConfig"),
        sealSecretEnv: [{ envName: from("envName"), secretName: "transit-token", secretKey: "token" }],
        clientCaSecretName: from("caSecretName"),
        externalAddress: "https://vault.example.org",
    });
    new VaultKubernetesAuth("auth-outputs", {
        path: from("authPath"),
        kubernetesHost: from("apiServer"),
        roles: [
            {
                name: "orders",
                serviceAccountNames: [from("serviceAccount")],
                namespaces: [from("appNamespace")],
                policies: ["orders-database-creds"],
                audience: from("audience"),
                tokenTtlSeconds: fromNumber("ttl"),
            },
        ],
    });
    new DatabaseSecretsEngine("engine-outputs", {
        path: from("dbMount"),
        connectionName: from("connection"),
        endpoint: source.data.apply((d) => ({ host: d.pgHost!, port: 5432, database: "postgres", sslMode: "require" })),
        username: from("vaultAdmin"),
        password: pulumi.secret("pw-0123456789"),
        allowedRoles: ["orders"],
    });
    new ApplicationDatabaseAccess("access-outputs", {
        databaseMount: from("dbMount"),
        connectionName: from("connection"),
        staticRoleName: "orders",
        databaseUsername: from("dbUser"),
        rotationPeriodSeconds: fromNumber("period"),
        authMount: from("authPath"),
        serviceAccountNames: [from("serviceAccount")],
        namespaces: [from("appNamespace")],
        audience: from("audience"),
        tokenTtlSeconds: fromNumber("ttl"),
    });
    await settle();
    sourceUrn = one("kubernetes:core/v1:ConfigMap", "other-program").urn;
});

describe("VaultServer", () => {
    it("renders the chart from Output-valued namespace, Ingress, TLS Secret, seal and CA", () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "ha-outputs-chart");
        expect(chart.inputs.namespace).toBe("vault-ns");
        const server = chart.inputs.values.server;
        expect(server.ingress).toEqual({ enabled: true, ingressClassName: "nginx", hosts: [{ host: "vault.example.org", paths: [] }] });
        expect(server.volumes).toEqual([{ name: "userconfig-vault-tls", secret: { defaultMode: 420, secretName: "vault-tls" } }]);
        expect(server.ha.raft.config).toContain('seal "transit" {}');
        expect(server.ha.raft.config).toContain("https://vault-0.vault-internal.vault-ns.svc:8200");
        expect(server.extraSecretEnvironmentVars).toEqual([{ envName: "VAULT_TOKEN", secretName: "transit-token", secretKey: "token" }]);
        expect(chart.inputs.values.csi.volumes).toEqual([{ name: "vault-ca", secret: { secretName: "vault-ca" } }]);
        expect(dependsOnSource(chart)).toBe(true);
    });
});

describe("VaultKubernetesAuth", () => {
    it("mounts at an Output path, reviews tokens at an Output host, and binds Output-valued accounts", () => {
        const backend = one("vault:index/authBackend:AuthBackend", "auth-outputs-backend");
        expect(backend.inputs).toMatchObject({ type: "kubernetes", path: "k8s-team" });
        expect(dependsOnSource(backend)).toBe(true);
        const config = one("vault:kubernetes/authBackendConfig:AuthBackendConfig", "auth-outputs-config");
        expect(config.inputs.kubernetesHost).toBe("https://api.example.org:6443");
        const role = one("vault:kubernetes/authBackendRole:AuthBackendRole", "auth-outputs-role-orders");
        expect(role.inputs).toEqual(ORDERS_ROLE);
        expect(dependsOnSource(role)).toBe(true);
    });

    it("checks every plain role before registering anything, its backend included", async () => {
        await settle();
        const before = registrations.length;
        const role = { name: "bad", serviceAccountNames: ["app"], namespaces: [from("appNamespace")], policies: ["p"], tokenTtlSeconds: 60 };
        expect(() => new VaultKubernetesAuthClass("bad-auth", { roles: [{ ...role, serviceAccountNames: ["app-*"] }] })).toThrow(
            'kubernetes auth role "bad": wildcard bindings are not allowed, got "app-*"',
        );
        expect(() => new VaultKubernetesAuthClass("bad-ttl", { roles: [{ ...role, tokenTtlSeconds: 0 }] })).toThrow(
            'kubernetes auth role "bad": tokenTtlSeconds must be a positive whole number, got 0',
        );
        await settle();
        expect(registrations.slice(before).map((r) => r.name)).toEqual([]);
    });
});

describe("DatabaseSecretsEngine", () => {
    it("mounts, names and logs in with Output-valued path, connection name and username", () => {
        expect(one("vault:index/mount:Mount", "engine-outputs-mount").inputs).toMatchObject({ path: "db-team", type: "database" });
        const connection = one("vault:database/secretBackendConnection:SecretBackendConnection", "engine-outputs-connection");
        expect(connection.inputs).toMatchObject({ backend: "db-team", name: "orders-conn", allowedRoles: ["orders"] });
        expect(connection.inputs.postgresql).toMatchObject({
            username: "vault_admin_b",
            connectionUrl: "postgresql://{{username}}:{{password}}@pg.other-program.svc.cluster.local:5432/postgres?sslmode=require",
        });
        expect(dependsOnSource(connection)).toBe(true);
    });
});

describe("ApplicationDatabaseAccess", () => {
    it("rotates an Output-valued user every Output-valued period, and binds Output-valued accounts on an Output auth mount", () => {
        const staticRole = one("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "access-outputs-static-role");
        expect(staticRole.inputs).toEqual({
            backend: "db-team",
            name: "orders",
            dbName: "orders-conn",
            username: "orders_rw",
            rotationPeriod: 3600,
        });
        expect(dependsOnSource(staticRole)).toBe(true);
        expect(one("vault:index/policy:Policy", "access-outputs-policy").inputs).toEqual({
            name: "orders-database-creds",
            policy: 'path "db-team/static-creds/orders" {\n  capabilities = ["read"]\n}\n',
        });
        const role = one("vault:kubernetes/authBackendRole:AuthBackendRole", "access-outputs-auth-role");
        expect(role.inputs).toEqual(ORDERS_ROLE);
        expect(dependsOnSource(role)).toBe(true);
    });
});
