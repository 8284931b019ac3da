import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, generatedSecrets, one, ofType, parentOf, type Registration, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";
import { vaultHelmDevStatefulSet, vaultHelmInjectorWebhook } from "../../../support/vaultHelmObjects";
import { STACKGRES_SECRET_KEYS } from "../../../support/types";

type Components = {
    server: import("../../../../components/vault/vaultServer").VaultServer;
    serverK8s: import("../../../../components/vault/vaultServer").VaultServer;
    auth: import("../../../../components/vault/vaultKubernetesAuth").VaultKubernetesAuth;
    admin: import("../../../../components/stackgres/stackGresAdminCredentials").StackGresAdminCredentials;
    engine: import("../../../../components/vault/databaseSecretsEngine").DatabaseSecretsEngine;
    access: import("../../../../components/vault/applicationDatabaseAccess").ApplicationDatabaseAccess;
};
let c: Components;

/** A resource given as a component's dependsOn, to see which children wait for it. */
class Gate extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Gate", name, {});
    }
}
let mod: {
    VaultServer: typeof import("../../../../components/vault/vaultServer").VaultServer;
    DatabaseSecretsEngine: typeof import("../../../../components/vault/databaseSecretsEngine").DatabaseSecretsEngine;
    ApplicationDatabaseAccess: typeof import("../../../../components/vault/applicationDatabaseAccess").ApplicationDatabaseAccess;
};

beforeAll(async () => {
    await setupMocks();
    const { VaultServer } = await import("../../../../components/vault/vaultServer");
    const { VaultKubernetesAuth } = await import("../../../../components/vault/vaultKubernetesAuth");
    const { StackGresAdminCredentials } = await import("../../../../components/stackgres/stackGresAdminCredentials");
    const { DatabaseSecretsEngine } = await import("../../../../components/vault/databaseSecretsEngine");
    const { ApplicationDatabaseAccess } = await import("../../../../components/vault/applicationDatabaseAccess");
    mod = { VaultServer, DatabaseSecretsEngine, ApplicationDatabaseAccess };
    const server = new VaultServer("vault", { namespace: "vault", mode: "dev", openshift: true, externalAddress: "https://vault.apps.example.com" });
    const serverK8s = new VaultServer("vault-k8s", {
        namespace: "vault",
        mode: "dev",
        openshift: false,
        csiProvider: true,
        ingressHost: "vault.local",
        externalAddress: "http://127.0.0.1:8200",
    });
    const admin = new StackGresAdminCredentials("pg-admin", { secretPath: "keycloak-postgresql/config", policyName: "keycloak-postgresql-policy" });
    const auth = new VaultKubernetesAuth("kubernetes-auth", {
        roles: [
            {
                name: "keycloak-role",
                serviceAccountNames: ["default", "keycloak-postgresql-patroni"],
                namespaces: ["rhbk"],
                policies: [admin.policyName],
                audience: "https://kubernetes.default.svc",
                tokenTtlSeconds: 86400,
            },
        ],
    });
    const engine = new DatabaseSecretsEngine("db", {
        connectionName: "keycloak-postgresql",
        endpoint: { host: "keycloak-postgresql-primary.rhbk.svc.cluster.local", port: 5432, database: "postgres", sslMode: "disable" },
        username: "vault_admin",
        password: pulumi.secret("vault-admin-pw-0123456789"),
        allowedRoles: ["app"],
        rotateRootCredentials: true,
    });
    const access = new ApplicationDatabaseAccess("app-app", {
        databaseMount: engine.path,
        connectionName: engine.connectionName,
        staticRoleName: "app",
        databaseUsername: "app",
        rotationPeriodSeconds: 86400,
        serviceAccountNames: ["app"],
        namespaces: ["rhbk"],
        audience: "https://kubernetes.default.svc",
    });
    c = { server, serverK8s, auth, admin, engine, access };
    await settle();
});

describe("VaultServer", () => {
    it("installs the pinned vault-helm chart as a child of the component", () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-chart");
        expect(chart.inputs).toMatchObject({
            name: "vault",
            chart: "vault",
            version: "0.34.1",
            namespace: "vault",
            repositoryOpts: { repo: "https://helm.releases.hashicorp.com" },
        });
        expect(parentOf(chart)).toBe("vaultkit:index:VaultServer::vault");
    });

    it("generates the dev root token and hands it to Vault only through a Secret that is a Pulumi secret", async () => {
        const token = one("random:index/randomPassword:RandomPassword", "vault-dev-root-token");
        expect(token.inputs).toMatchObject({ length: 32, special: false });
        expect(parentOf(token)).toBe("vaultkit:index:VaultServer::vault");
        const secret = one("kubernetes:core/v1:Secret", "vault-dev-root-token");
        expect(secret.inputs.metadata).toEqual({ name: "vault-dev-root-token", namespace: "vault" });
        expect(secret.secretPaths).toEqual(["stringData"]);
        // The RandomPassword's result (the mocks name their values after the resource).
        expect(secret.inputs.stringData.token).toMatch(/^mock-password-vault-dev-root/);
        expect(generatedSecrets).toContain(secret.inputs.stringData.token);
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-chart");
        // Chart v4 registers its objects' inputs as plain values: the chart must not get the token at all.
        expect(chart.inputs.values.server.dev).toEqual({ enabled: true, devRootToken: "" });
        expect(chart.secretPaths).toEqual([]);
        expect(JSON.stringify(chart.inputs)).not.toContain(secret.inputs.stringData.token);
        expect(dependsOnTransitively(chart, secret)).toBe(true);
        expect(await pulumi.isSecret(c.server.rootToken!)).toBe(true);
    });

    it("rewrites the chart's VAULT_DEV_ROOT_TOKEN_ID entry into a reference to that Secret, once, and refuses a StatefulSet without it", async () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-chart");
        const transform = async (type: string, props: Record<string, any>) => {
            let p = props;
            for (const t of chart.transforms) {
                const r = await t({ type, name: "vault", custom: true, props: p, opts: {} });
                if (r) p = r.props;
            }
            return p;
        };
        const sts = vaultHelmDevStatefulSet("");
        const out = await transform("kubernetes:apps/v1:StatefulSet", sts);
        const env = out.spec.template.spec.containers[0].env;
        expect(env.filter((e: { name: string }) => e.name === "VAULT_DEV_ROOT_TOKEN_ID")).toEqual([
            { name: "VAULT_DEV_ROOT_TOKEN_ID", valueFrom: { secretKeyRef: { name: "vault-dev-root-token", key: "token" } } },
        ]);
        // Everything else stays as the chart rendered it.
        expect(env.map((e: { name: string }) => e.name)).toEqual(sts.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name));
        expect({ ...out, spec: { ...out.spec, template: undefined } }).toEqual({ ...sts, spec: { ...sts.spec, template: undefined } });
        const changed = vaultHelmDevStatefulSet("");
        changed.spec.template.spec.containers[0].env = changed.spec.template.spec.containers[0].env.filter((e: { name: string }) => e.name !== "VAULT_DEV_ROOT_TOKEN_ID");
        await expect(transform("kubernetes:apps/v1:StatefulSet", changed)).rejects.toThrow(/expected exactly one VAULT_DEV_ROOT_TOKEN_ID .* found 0/);
        // Other objects of the chart pass through untouched.
        const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "vault" }, spec: { ports: [{ port: 8200 }] } };
        expect(await transform("kubernetes:core/v1:Service", svc)).toBe(svc);
    });

    it("leaves the injector webhook's caBundle to the injector", async () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-chart");
        const hook = vaultHelmInjectorWebhook();
        let props: Record<string, any> = hook;
        for (const t of chart.transforms) {
            const r = await t({ type: "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", name: "vault-agent-injector-cfg", custom: true, props, opts: {} });
            if (r) props = r.props;
        }
        expect(props.webhooks[0].clientConfig).toEqual({ service: { name: "vault-agent-injector-svc", namespace: "vault", path: "/mutate" } });
        expect({ ...props, webhooks: undefined }).toEqual({ ...hook, webhooks: undefined });
        expect(hook.webhooks[0].clientConfig.caBundle).toBe("");
    });

    it("grants the CSI provider the privileged SCC declaratively on OpenShift, before the chart", () => {
        const rb = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "vault-csi-provider-privileged-scc");
        expect(rb.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:openshift:scc:privileged" });
        expect(rb.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "vault-csi-provider", namespace: "vault" }]);
        expect(dependsOnTransitively(one("kubernetes:helm.sh/v4:Chart", "vault-chart"), rb)).toBe(true);
    });

    it("renders an Ingress and no SCC binding on plain Kubernetes", () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-k8s-chart");
        expect(chart.inputs.values.global.openshift).toBe(false);
        expect(chart.inputs.values.server.ingress.hosts).toEqual([{ host: "vault.local", paths: [] }]);
        // Any binding to an SCC ClusterRole, whatever it is named (the OpenShift server has one, above).
        const sccBindings = (server: string) =>
            ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").filter((r) => r.name.startsWith(`${server}-`) && String(r.inputs.roleRef?.name).startsWith("system:openshift:scc:"));
        expect(sccBindings("vault").length).toBeGreaterThan(0);
        expect(sccBindings("vault-k8s")).toEqual([]);
    });

    it("exports the in-cluster and external addresses", async () => {
        expect(await valueOf(c.server.inClusterAddress)).toBe("http://vault.vault.svc.cluster.local:8200");
        expect(await valueOf(c.server.externalAddress)).toBe("https://vault.apps.example.com");
    });

    it("refuses HA without TLS and an Ingress on OpenShift, before registering anything", async () => {
        await settle();
        const before = registrations.length;
        expect(() => new mod.VaultServer("bad-ha", { namespace: "v", mode: "ha", openshift: true, externalAddress: "https://x" })).toThrow(/tlsSecretName/);
        expect(() => new mod.VaultServer("bad-mode", { namespace: "v", mode: "standalone", openshift: true, externalAddress: "https://x" })).toThrow(/mode must be "dev" or "ha"/);
        expect(() => new mod.VaultServer("bad-ing", { namespace: "v", mode: "dev", openshift: true, ingressHost: "x", externalAddress: "https://x" })).toThrow(/routeHost/);
        await settle();
        expect(registrations.slice(before).map((r) => r.name)).toEqual([]);
    });
});

describe("VaultKubernetesAuth", () => {
    it("enables kubernetes auth at 'kubernetes' with the in-cluster API host, not a service IP", () => {
        const backend = one("vault:index/authBackend:AuthBackend", "kubernetes-auth-backend");
        expect(backend.inputs).toMatchObject({ type: "kubernetes", path: "kubernetes" });
        const config = one("vault:kubernetes/authBackendConfig:AuthBackendConfig", "kubernetes-auth-config");
        expect(config.inputs).toMatchObject({ backend: "kubernetes", kubernetesHost: "https://kubernetes.default.svc" });
        expect(config.inputs.tokenReviewerJwt).toBeUndefined();
        // In a pod Vault reads its own CA and token; nothing to store.
        expect(config.inputs.disableLocalCaJwt).toBe(false);
        expect(config.inputs.kubernetesCaCert).toBeUndefined();
        expect(parentOf(config)).toBe("vaultkit:index:VaultKubernetesAuth::kubernetes-auth");
    });

    it("builds an outside-the-cluster config with the given CA and reviewer token, never looking for a pod's", async () => {
        const { kubernetesAuthConfigInputs } = await import("../../../../components/vault/vaultKubernetesAuth");
        expect(kubernetesAuthConfigInputs({ kubernetesHost: "https://api.example.com:6443", kubernetesCaCert: "PEM", tokenReviewerJwt: "JWT" })).toEqual({
            kubernetesHost: "https://api.example.com:6443",
            kubernetesCaCert: "PEM",
            tokenReviewerJwt: "JWT",
            disableLocalCaJwt: true,
        });
        // Absent, not `undefined`: a key spread into the config with an undefined value would still be sent.
        expect(kubernetesAuthConfigInputs({})).toStrictEqual({ kubernetesHost: "https://kubernetes.default.svc", disableLocalCaJwt: false });
    });

    it("creates the seed's keycloak-role after the config", () => {
        const role = one("vault:kubernetes/authBackendRole:AuthBackendRole", "kubernetes-auth-role-keycloak-role");
        expect(role.inputs).toEqual({
            backend: "kubernetes",
            roleName: "keycloak-role",
            boundServiceAccountNames: ["default", "keycloak-postgresql-patroni"],
            boundServiceAccountNamespaces: ["rhbk"],
            tokenPolicies: ["keycloak-postgresql-policy"],
            audience: "https://kubernetes.default.svc",
            tokenTtl: 86400,
        });
        expect(dependsOnTransitively(role, one("vault:kubernetes/authBackendConfig:AuthBackendConfig", "kubernetes-auth-config"))).toBe(true);
    });
});

describe("StackGresAdminCredentials", () => {
    it("mounts KV version 2 at kv-v2", () => {
        expect(one("vault:index/mount:Mount", "pg-admin-kv").inputs).toMatchObject({ path: "kv-v2", type: "kv", options: { version: "2" } });
    });

    it("generates four passwords and stores exactly the seven StackGres keys, as a secret", () => {
        const pw = ofType("random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("pg-admin-"));
        expect(pw.map((r) => r.name).sort()).toEqual([
            "pg-admin-authenticator-password",
            "pg-admin-replication-password",
            "pg-admin-restapi-password",
            "pg-admin-superuser-password",
        ]);
        const secret = one("vault:kv/secretV2:SecretV2", "pg-admin-secret");
        expect(secret.inputs.mount).toBe("kv-v2");
        expect(secret.inputs.name).toBe("keycloak-postgresql/config");
        expect(secret.secretPaths).toContain("dataJson");
        const data = JSON.parse(secret.inputs.dataJson);
        expect(Object.keys(data).sort()).toEqual(STACKGRES_SECRET_KEYS);
        expect(data["superuser-username"]).toBe("postgres");
        expect(data["superuser-password"]).toMatch(/^mock-password-pg-admin-superuser/);
    });

    it("writes the read-only policy on exactly the data path", () => {
        expect(one("vault:index/policy:Policy", "pg-admin-policy").inputs).toEqual({
            name: "keycloak-postgresql-policy",
            policy: 'path "kv-v2/data/keycloak-postgresql/config" {\n  capabilities = ["read"]\n}\n',
        });
    });

    it("keeps the superuser password secret", async () => {
        expect(await pulumi.isSecret(c.admin.superuserPassword)).toBe(true);
        expect(await valueOf(c.admin.dataPath)).toBe("kv-v2/data/keycloak-postgresql/config");
    });
});

describe("DatabaseSecretsEngine", () => {
    it("connects as the Vault admin role, lists only the declared roles and verifies the connection", () => {
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "db-connection");
        expect(conn.inputs).toMatchObject({
            backend: "database",
            name: "keycloak-postgresql",
            pluginName: "postgresql-database-plugin",
            allowedRoles: ["app"],
            verifyConnection: true,
        });
        expect(conn.inputs.postgresql.connectionUrl).toBe(
            "postgresql://{{username}}:{{password}}@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=disable",
        );
        expect(conn.inputs.postgresql.username).toBe("vault_admin");
        expect(conn.secretPaths).toContain("postgresql.password");
        // Vault hashes the passwords it sets; ALTER ROLE never carries one in clear.
        expect(conn.inputs.postgresql.passwordAuthentication).toBe("scram-sha-256");
    });

    it("rotates its own root credential after the connection when asked", () => {
        const rotate = one("vault:generic/endpoint:Endpoint", "db-rotate-root");
        expect(rotate.inputs).toMatchObject({ path: "database/rotate-root/keycloak-postgresql", disableRead: true, disableDelete: true });
        expect(dependsOnTransitively(rotate, one("vault:database/secretBackendConnection:SecretBackendConnection", "db-connection"))).toBe(true);
        expect(parentOf(rotate)).toBe("vaultkit:index:DatabaseSecretsEngine::db");
    });

    it("refuses allowed_roles '*' before registering anything", async () => {
        await settle();
        const before = registrations.length;
        expect(
            () =>
                new mod.DatabaseSecretsEngine("bad", {
                    connectionName: "c",
                    endpoint: { host: "h", port: 5432, database: "postgres", sslMode: "disable" },
                    username: "vault_admin",
                    password: "x",
                    allowedRoles: ["*"],
                }),
        ).toThrow(/wildcards/);
        await settle();
        expect(registrations.slice(before).map((r) => r.name)).toEqual([]);
    });
});

describe("ApplicationDatabaseAccess", () => {
    it("declares the seed's static role: app, rotated every 86400 s", () => {
        expect(one("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "app-app-static-role").inputs).toEqual({
            backend: "database",
            name: "app",
            dbName: "keycloak-postgresql",
            username: "app",
            rotationPeriod: 86400,
        });
    });

    it("adds the read policy on database/static-creds/app and binds it to the app's service account only", async () => {
        expect(one("vault:index/policy:Policy", "app-app-policy").inputs).toEqual({
            name: "app-database-creds",
            policy: 'path "database/static-creds/app" {\n  capabilities = ["read"]\n}\n',
        });
        const role = one("vault:kubernetes/authBackendRole:AuthBackendRole", "app-app-auth-role");
        expect(role.inputs).toEqual({
            backend: "kubernetes",
            roleName: "app",
            boundServiceAccountNames: ["app"],
            boundServiceAccountNamespaces: ["rhbk"],
            tokenPolicies: ["app-database-creds"],
            audience: "https://kubernetes.default.svc",
            tokenTtl: 3600,
        });
        expect(await valueOf(c.access.credsPath)).toBe("database/static-creds/app");
    });

    it("refuses what Vault would refuse at apply time, or must never be asked, in the constructor", async () => {
        const ok = {
            databaseMount: "database",
            connectionName: "c",
            staticRoleName: "orders",
            databaseUsername: "orders",
            rotationPeriodSeconds: 86400,
            serviceAccountNames: ["orders"],
            namespaces: ["team-b"],
        };
        const before = registrations.length;
        expect(() => new mod.ApplicationDatabaseAccess("bad-name", { ...ok, staticRoleName: "Orders Role" })).toThrow(/one Vault path segment.*"Orders Role"/);
        expect(() => new mod.ApplicationDatabaseAccess("bad-user", { ...ok, databaseUsername: "postgres" })).toThrow(/not the superuser/);
        expect(() => new mod.ApplicationDatabaseAccess("bad-period", { ...ok, rotationPeriodSeconds: 2 })).toThrow(/at least 5/);
        await settle();
        expect(registrations.length).toBe(before);
    });

    it("refuses a wildcard binding before registering anything", async () => {
        await settle();
        const before = registrations.length;
        expect(
            () =>
                new mod.ApplicationDatabaseAccess("bad-app", {
                    databaseMount: "database",
                    connectionName: "c",
                    staticRoleName: "bad",
                    databaseUsername: "bad",
                    rotationPeriodSeconds: 3600,
                    serviceAccountNames: ["*"],
                    namespaces: ["rhbk"],
                }),
        ).toThrow(/wildcard/);
        // Registrations arrive asynchronously: wait for any before counting them.
        await settle();
        expect(registrations.filter((r) => r.name.startsWith("bad-app"))).toHaveLength(0);
        expect(registrations.length).toBe(before);
    });
});

describe("ApplicationDatabaseAccess with every name different", () => {
    // Static role, database role, auth role, ServiceAccount, namespace and mounts all differ, so each
    // input shows up exactly where it belongs and nowhere else.
    let orders: Components["access"];
    beforeAll(async () => {
        orders = new mod.ApplicationDatabaseAccess("orders", {
            databaseMount: "team-db",
            connectionName: "orders-pg",
            staticRoleName: "orders",
            databaseUsername: "orders_rw",
            rotationPeriodSeconds: 3600,
            authMount: "team-k8s",
            authRoleName: "orders-login",
            serviceAccountNames: ["orders-api"],
            namespaces: ["team-b"],
            tokenTtlSeconds: 600,
        });
        await settle();
    });

    it("rotates the database role under the static role's name", () => {
        expect(one("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "orders-static-role").inputs).toEqual({
            backend: "team-db",
            name: "orders",
            dbName: "orders-pg",
            username: "orders_rw",
            rotationPeriod: 3600,
        });
    });

    it("grants read on the static role's credentials path, in a policy named after the static role", () => {
        expect(one("vault:index/policy:Policy", "orders-policy").inputs).toEqual({
            name: "orders-database-creds",
            policy: 'path "team-db/static-creds/orders" {\n  capabilities = ["read"]\n}\n',
        });
    });

    it("binds that policy to the auth role, for the ServiceAccount in its namespace only", () => {
        expect(one("vault:kubernetes/authBackendRole:AuthBackendRole", "orders-auth-role").inputs).toEqual({
            backend: "team-k8s",
            roleName: "orders-login",
            boundServiceAccountNames: ["orders-api"],
            boundServiceAccountNamespaces: ["team-b"],
            tokenPolicies: ["orders-database-creds"],
            tokenTtl: 600,
        });
    });

    it("creates the auth role under the component, after the static role and the policy it names", () => {
        const authRole = one("vault:kubernetes/authBackendRole:AuthBackendRole", "orders-auth-role");
        expect(parentOf(authRole)).toBe("vaultkit:index:ApplicationDatabaseAccess::orders");
        expect(dependsOnTransitively(authRole, one("vault:index/policy:Policy", "orders-policy"))).toBe(true);
        expect(dependsOnTransitively(authRole, one("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "orders-static-role"))).toBe(true);
    });

    it("hands back the names it registered", async () => {
        expect(await valueOf(orders.credsPath)).toBe("team-db/static-creds/orders");
        expect(await valueOf(orders.policyName)).toBe("orders-database-creds");
        expect(await valueOf(orders.authRoleName)).toBe("orders-login");
        expect(await valueOf(orders.staticRoleName)).toBe("orders");
    });
});

describe("what every Vault component's children wait for, and its defaults", () => {
    // Children do not inherit a component's dependsOn in Pulumi: each component hands it down itself.
    let gate: Registration;
    let roleless: Components["auth"];
    beforeAll(async () => {
        const gateResource = new Gate("vault-ready");
        const { StackGresAdminCredentials } = await import("../../../../components/stackgres/stackGresAdminCredentials");
        new mod.DatabaseSecretsEngine(
            "gated-db",
            {
                connectionName: "orders-pg",
                endpoint: { host: "pg.team-b.svc.cluster.local", port: 5432, database: "postgres", sslMode: "require" },
                username: "vault_admin",
                password: "vault-admin-pw-0123456789",
                allowedRoles: ["orders"],
            },
            { dependsOn: [gateResource] },
        );
        new mod.ApplicationDatabaseAccess(
            "gated-app",
            {
                databaseMount: "database",
                connectionName: "orders-pg",
                staticRoleName: "orders",
                databaseUsername: "orders_rw",
                rotationPeriodSeconds: 3600,
                serviceAccountNames: ["orders-api"],
                namespaces: ["team-b"],
            },
            { dependsOn: [gateResource] },
        );
        new StackGresAdminCredentials("gated-admin", { secretPath: "orders/admin", policyName: "orders-admin" }, { dependsOn: [gateResource] });
        new StackGresAdminCredentials("shared-kv-admin", { kvMount: "team-kv", createMount: false, secretPath: "orders/admin", policyName: "orders-admin-2" });
        const { VaultKubernetesAuth } = await import("../../../../components/vault/vaultKubernetesAuth");
        roleless = new VaultKubernetesAuth("roleless-auth", { path: "team-k8s" });
        await settle();
        gate = one("test:index:Gate", "vault-ready");
    });

    it.each([
        ["vault:index/mount:Mount", "gated-db-mount"],
        ["vault:database/secretBackendConnection:SecretBackendConnection", "gated-db-connection"],
        ["vault:database/secretBackendStaticRole:SecretBackendStaticRole", "gated-app-static-role"],
        ["vault:index/policy:Policy", "gated-app-policy"],
        ["vault:kubernetes/authBackendRole:AuthBackendRole", "gated-app-auth-role"],
        ["vault:index/mount:Mount", "gated-admin-kv"],
        ["vault:kv/secretV2:SecretV2", "gated-admin-secret"],
        ["vault:index/policy:Policy", "gated-admin-policy"],
    ])("%s %s waits for the component's own dependsOn", (type, name) => {
        expect(one(type, name).dependencies).toContain(gate.urn);
    });

    it("DatabaseSecretsEngine mounts the database engine at `database` by default, and rotates nothing unless asked", () => {
        expect(one("vault:index/mount:Mount", "gated-db-mount").inputs).toEqual({ path: "database", type: "database", description: "Database credentials" });
        expect(ofType("vault:generic/endpoint:Endpoint").map((r) => r.name)).not.toContain("gated-db-rotate-root");
    });

    it("StackGresAdminCredentials never changes a generated password after the first create, whatever input changes", () => {
        const passwords = ofType("random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("gated-admin-"));
        expect(passwords).toHaveLength(4);
        for (const p of passwords) {
            expect(p.inputs).toEqual({ length: 32, special: false });
            expect(p.ignoreChanges.sort()).toEqual(
                ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"].sort(),
            );
        }
    });

    it("StackGresAdminCredentials with createMount: false writes into the existing mount and creates none", async () => {
        expect(registrations.filter((r) => r.name === "shared-kv-admin-kv")).toHaveLength(0);
        expect(one("vault:kv/secretV2:SecretV2", "shared-kv-admin-secret").inputs).toMatchObject({ mount: "team-kv", name: "orders/admin" });
        expect(one("vault:index/policy:Policy", "shared-kv-admin-policy").inputs.policy).toBe('path "team-kv/data/orders/admin" {\n  capabilities = ["read"]\n}\n');
    });

    it("VaultKubernetesAuth without roles enables the method and creates no role", async () => {
        expect(one("vault:index/authBackend:AuthBackend", "roleless-auth-backend").inputs).toEqual({ type: "kubernetes", path: "team-k8s" });
        expect(ofType("vault:kubernetes/authBackendRole:AuthBackendRole").filter((r) => r.name.startsWith("roleless-auth"))).toHaveLength(0);
        expect(await valueOf(roleless.roleNames)).toEqual([]);
    });
});

describe("VaultServer in HA mode and with every option, behind a gate", () => {
    // An HA server with the chart defaults switched off and every pass-through input set, and a dev
    // server with its own release name; both wait for a gate resource given as dependsOn.
    let ha: Components["server"];
    let gate: Registration;
    const seal = 'seal "transit" {\n  address = "https://unseal.example.com:8200"\n}';
    const sealSecretEnv = [{ envName: "VAULT_TOKEN", secretName: "unseal-token", secretKey: "token" }];
    beforeAll(async () => {
        const gateResource = new Gate("server-gate");
        ha = new mod.VaultServer(
            "ha",
            {
                namespace: "vault-ha",
                releaseName: "vlt",
                mode: "ha",
                openshift: true,
                ui: false,
                injector: false,
                csiProvider: false,
                chartVersion: "0.30.0",
                routeHost: "vault.apps.example.com",
                tlsSecretName: "vlt-tls",
                sealConfig: seal,
                sealSecretEnv,
                clientCaSecretName: "vlt-ca",
                externalAddress: "https://vault.apps.example.com",
            },
            { dependsOn: [gateResource] },
        );
        new mod.VaultServer("gated-dev", { namespace: "team-vault", releaseName: "dv", mode: "dev", openshift: true, externalAddress: "http://dv" }, { dependsOn: [gateResource] });
        new mod.VaultServer("k8s-ingress", {
            namespace: "vault",
            mode: "dev",
            openshift: false,
            ingressHost: "vault.example.com",
            ingressClassName: "nginx",
            externalAddress: "http://vault.example.com",
        });
        await settle();
        gate = one("test:index:Gate", "server-gate");
    });

    it("hands the chart exactly the values vaultHelmValues builds from its arguments, defaults filled in", async () => {
        const { vaultHelmValues } = await import("../../../../components/vault/vaultHelmValues");
        const { PINNED } = await import("../../../../components/versions");
        const images = { server: PINNED.vaultChart.appVersion, injector: PINNED.vaultChart.injectorVersion, csiProvider: PINNED.vaultChart.csiProviderVersion };
        const haChart = one("kubernetes:helm.sh/v4:Chart", "ha-chart");
        expect(haChart.inputs.values).toEqual(
            vaultHelmValues(
                {
                    mode: "ha",
                    openshift: true,
                    ui: false,
                    injector: false,
                    csiProvider: false,
                    haReplicas: 3,
                    routeHost: "vault.apps.example.com",
                    tlsSecretName: "vlt-tls",
                    sealConfig: seal,
                    sealSecretEnv,
                    clientCaSecretName: "vlt-ca",
                    images,
                },
                "vlt",
                "vault-ha",
            ),
        );
        // The defaults: UI, injector and CSI provider on.
        expect(one("kubernetes:helm.sh/v4:Chart", "vault-chart").inputs.values).toEqual(
            vaultHelmValues({ mode: "dev", openshift: true, ui: true, injector: true, csiProvider: true, haReplicas: 3, images }, "vault", "vault"),
        );
        expect(one("kubernetes:helm.sh/v4:Chart", "k8s-ingress-chart").inputs.values.server.ingress).toEqual({
            enabled: true,
            ingressClassName: "nginx",
            hosts: [{ host: "vault.example.com", paths: [] }],
        });
    });

    it("installs the release under its own name and the chart version asked for", () => {
        expect(one("kubernetes:helm.sh/v4:Chart", "ha-chart").inputs).toMatchObject({ name: "vlt", version: "0.30.0", namespace: "vault-ha" });
        expect(ha.chartVersion).toBe("0.30.0");
        expect(c.server.chartVersion).toBe("0.34.1");
    });

    it("has no dev root token in HA mode, is reached over https, and keeps the injector transform only", async () => {
        expect(ha.rootToken).toBeUndefined();
        expect(registrations.filter((r) => r.name.startsWith("ha-") && r.name.includes("root-token"))).toEqual([]);
        expect(await valueOf(ha.inClusterAddress)).toBe("https://vlt.vault-ha.svc.cluster.local:8200");
        expect(one("kubernetes:helm.sh/v4:Chart", "ha-chart").transforms).toHaveLength(1);
        expect(one("kubernetes:helm.sh/v4:Chart", "vault-chart").transforms).toHaveLength(2);
    });

    it("grants the privileged SCC only when the CSI provider runs", () => {
        expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").filter((r) => r.name.startsWith("ha-"))).toEqual([]);
    });

    it("names the dev token Secret and the SCC binding after the release, in Vault's namespace", () => {
        expect(one("kubernetes:core/v1:Secret", "gated-dev-dev-root-token").inputs).toMatchObject({
            metadata: { name: "dv-dev-root-token", namespace: "team-vault" },
            type: "Opaque",
        });
        const rb = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "gated-dev-csi-provider-privileged-scc");
        expect(rb.inputs.metadata).toEqual({ name: "dv-csi-provider-privileged-scc", namespace: "team-vault" });
        expect(rb.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "dv-csi-provider", namespace: "team-vault" }]);
    });

    it.each([
        ["kubernetes:helm.sh/v4:Chart", "ha-chart"],
        ["kubernetes:helm.sh/v4:Chart", "gated-dev-chart"],
        ["kubernetes:core/v1:Secret", "gated-dev-dev-root-token"],
        ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "gated-dev-csi-provider-privileged-scc"],
    ])("%s %s waits for the component's own dependsOn", (type, name) => {
        expect(one(type, name).dependencies).toContain(gate.urn);
    });

    it("says which argument is wrong, naming the component", () => {
        const base = { namespace: "v", openshift: true, externalAddress: "https://x" };
        expect(() => new mod.VaultServer("msg-ha", { ...base, mode: "ha" })).toThrow(new Error("VaultServer msg-ha: mode 'ha' needs tlsSecretName (Raft peers and clients use TLS)"));
        expect(() => new mod.VaultServer("msg-mode", { ...base, mode: "standalone" })).toThrow(new Error('VaultServer msg-mode: mode must be "dev" or "ha", got "standalone"'));
        expect(() => new mod.VaultServer("msg-ing", { ...base, mode: "dev", ingressHost: "x" })).toThrow(new Error("VaultServer msg-ing: ingressHost is for plain Kubernetes; on OpenShift use routeHost"));
    });
});

describe("VaultKubernetesAuth outside the cluster, behind a gate", () => {
    let outside: Components["auth"];
    let gate: Registration;
    beforeAll(async () => {
        const gateResource = new Gate("auth-gate");
        const { VaultKubernetesAuth } = await import("../../../../components/vault/vaultKubernetesAuth");
        outside = new VaultKubernetesAuth(
            "outside-auth",
            {
                path: "remote-k8s",
                kubernetesHost: "https://api.example.com:6443",
                kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----",
                tokenReviewerJwt: "reviewer-jwt",
                roles: [
                    { name: "orders", serviceAccountNames: ["orders-api"], namespaces: ["team-b"], policies: ["orders-database-creds"], tokenTtlSeconds: 600 },
                    { name: "billing", serviceAccountNames: ["billing-api"], namespaces: ["team-c"], policies: ["billing-database-creds"], tokenTtlSeconds: 600 },
                ],
            },
            { dependsOn: [gateResource] },
        );
        await settle();
        gate = one("test:index:Gate", "auth-gate");
    });

    it("enables the method behind the component's dependsOn", () => {
        const backend = one("vault:index/authBackend:AuthBackend", "outside-auth-backend");
        expect(backend.inputs).toEqual({ type: "kubernetes", path: "remote-k8s" });
        expect(backend.dependencies).toContain(gate.urn);
    });

    it("configures the remote API server with its CA and the reviewer token as a secret", () => {
        const config = one("vault:kubernetes/authBackendConfig:AuthBackendConfig", "outside-auth-config");
        expect(config.inputs).toEqual({
            backend: "remote-k8s",
            kubernetesHost: "https://api.example.com:6443",
            kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----",
            tokenReviewerJwt: "reviewer-jwt",
            disableLocalCaJwt: true,
        });
        expect(config.secretPaths).toEqual(["tokenReviewerJwt"]);
    });

    it("creates every role on its mount and hands back their names and the mount", async () => {
        expect(one("vault:kubernetes/authBackendRole:AuthBackendRole", "outside-auth-role-billing").inputs).toMatchObject({ backend: "remote-k8s", roleName: "billing" });
        expect(await valueOf(outside.roleNames)).toEqual(["orders", "billing"]);
        expect(await valueOf(outside.path)).toBe("remote-k8s");
    });
});
