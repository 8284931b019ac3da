import { describe, expect, it } from "vitest";
import { kubernetesAuthRoleInputs } from "../../components/vault/kubernetesAuthRole";
import { kvReadPolicyRules, renderPolicyHcl, staticCredsReadPolicyRules } from "../../components/vault/policies";
import {
    applicationAuthRoleSpec,
    checkAllowedRoles,
    databaseConnectionInputs,
    postgresConnectionUrl,
    staticRoleInputs,
} from "../../components/vault/databaseSecretsData";
import { stackGresPrimaryHost } from "../../components/stackgres/clusterSpecs";
import { STACKGRES_CREDENTIAL_KEYS, stackGresCredentialData } from "../../components/stackgres/stackGresAdminCredentials";
import { raftServerConfig, vaultHelmValues } from "../../components/vault/vaultHelmValues";
import { PINNED } from "../../components/versions";
import { expectInOrder } from "../support/order";

const images = { server: "2.0.4", injector: "1.7.6", csiProvider: "1.7.4" };

describe("policies", () => {
    it("renders the seed's KV read policy exactly", () => {
        expect(renderPolicyHcl(kvReadPolicyRules("kv-v2", "keycloak-postgresql/config"))).toBe(
            'path "kv-v2/data/keycloak-postgresql/config" {\n  capabilities = ["read"]\n}\n',
        );
    });

    it("grants read on one static role's creds (the policy the seed forgot)", () => {
        expect(staticCredsReadPolicyRules("database", "app")).toEqual([{ path: "database/static-creds/app", capabilities: ["read"] }]);
    });

    it("refuses wildcards, empty segments and nested role names", () => {
        expect(() => kvReadPolicyRules("kv-v2", "keycloak/*")).toThrow(/without wildcards/);
        expect(() => kvReadPolicyRules("kv-v2", "a//b")).toThrow(/empty segments/);
        expect(() => kvReadPolicyRules("kv-v2", "a/")).toThrow(/empty segments/);
        expect(() => staticCredsReadPolicyRules("database", "a/b")).toThrow(/must not contain '\/'/);
        expect(() => renderPolicyHcl([])).toThrow(/at least one rule/);
        expect(() => renderPolicyHcl([{ path: "x", capabilities: [] }])).toThrow(/no capabilities/);
    });

    it("renders several rules in order", () => {
        const hcl = renderPolicyHcl([...kvReadPolicyRules("kv", "a"), ...staticCredsReadPolicyRules("db", "b")]);
        expectInOrder(hcl, ['path "kv/data/a"', 'path "db/static-creds/b"'], "policy HCL");
    });
});

describe("database engine data", () => {
    it("builds the seed's connection URL template with no credentials in it", () => {
        const url = postgresConnectionUrl({ host: stackGresPrimaryHost("keycloak-postgresql", "rhbk"), port: 5432, database: "postgres", sslMode: "disable" });
        expect(url).toBe("postgresql://{{username}}:{{password}}@keycloak-postgresql.rhbk.svc.cluster.local:5432/postgres?sslmode=disable");
    });

    it("rejects hosts, ports and databases that would break the URL", () => {
        const ok = { host: "db", port: 5432, database: "postgres", sslMode: "disable" as const };
        expect(() => postgresConnectionUrl({ ...ok, host: "db@evil" })).toThrow(/host/);
        expect(() => postgresConnectionUrl({ ...ok, port: 70000 })).toThrow(/port/);
        expect(() => postgresConnectionUrl({ ...ok, database: "x?sslmode=disable" })).toThrow(/database/);
        expect(() => postgresConnectionUrl({ ...ok, sslMode: "strict" })).toThrow(/sslMode must be one of/);
    });

    // Every name differs from the others, so a builder that takes the wrong one shows.
    const access = {
        databaseMount: "db-mount",
        connectionName: "orders-conn",
        staticRoleName: "orders",
        databaseUsername: "orders_rw",
        rotationPeriodSeconds: 86400,
        serviceAccountNames: ["orders-sa"],
        namespaces: ["shop"],
        audience: "https://kubernetes.default.svc",
        tokenTtlSeconds: 600,
    };

    it("builds the static role of database_secret.sh: named after the application, rotating its database role", () => {
        expect(staticRoleInputs(access)).toEqual({ backend: "db-mount", name: "orders", dbName: "orders-conn", username: "orders_rw", rotationPeriod: 86400 });
        expect(() => staticRoleInputs({ ...access, databaseUsername: "postgres" })).toThrow(/superuser/);
    });

    it("binds the application's auth role to its service account and namespace, with the policy named after its static role", () => {
        expect(applicationAuthRoleSpec(access)).toEqual({
            name: "orders",
            serviceAccountNames: ["orders-sa"],
            namespaces: ["shop"],
            policies: ["orders-database-creds"],
            audience: "https://kubernetes.default.svc",
            tokenTtlSeconds: 600,
        });
        expect(applicationAuthRoleSpec({ ...access, authRoleName: "orders-login", tokenTtlSeconds: undefined })).toMatchObject({ name: "orders-login", tokenTtlSeconds: 3600 });
    });

    it("builds the connection: the postgres plugin, verified on write, only the named roles, SCRAM hashing", () => {
        const endpoint = { host: "pg.shop.svc.cluster.local", port: 5432, database: "postgres", sslMode: "require" };
        expect(databaseConnectionInputs({ mount: "db-mount", connectionName: "orders-conn", endpoint, username: "vault_admin", password: "pw", allowedRoles: ["orders"] })).toEqual({
            backend: "db-mount",
            name: "orders-conn",
            pluginName: "postgresql-database-plugin",
            allowedRoles: ["orders"],
            verifyConnection: true,
            postgresql: {
                connectionUrl: "postgresql://{{username}}:{{password}}@pg.shop.svc.cluster.local:5432/postgres?sslmode=require",
                username: "vault_admin",
                password: "pw",
                passwordAuthentication: "scram-sha-256",
            },
        });
        expect(() => databaseConnectionInputs({ mount: "m", connectionName: "c", endpoint, username: "u", password: "p", allowedRoles: ["*"] })).toThrow(/wildcards/);
    });

    it("refuses allowed_roles '*' and an empty list", () => {
        expect(() => checkAllowedRoles(["*"])).toThrow(/wildcards/);
        expect(() => checkAllowedRoles(["app", "team-*"])).toThrow(/wildcards/);
        expect(() => checkAllowedRoles([])).toThrow(/at least one/);
        expect(() => checkAllowedRoles(["app"])).not.toThrow();
    });
});

describe("kubernetes auth roles", () => {
    const seedRole = {
        name: "keycloak-role",
        serviceAccountNames: ["default", "keycloak-postgresql-patroni"],
        namespaces: ["rhbk"],
        policies: ["keycloak-postgresql-policy"],
        audience: "https://kubernetes.default.svc",
        tokenTtlSeconds: 86400,
    };

    it("maps the seed's keycloak-role", () => {
        expect(kubernetesAuthRoleInputs(seedRole)).toEqual({
            roleName: "keycloak-role",
            boundServiceAccountNames: ["default", "keycloak-postgresql-patroni"],
            boundServiceAccountNamespaces: ["rhbk"],
            tokenPolicies: ["keycloak-postgresql-policy"],
            audience: "https://kubernetes.default.svc",
            tokenTtl: 86400,
        });
    });

    it("refuses wildcard or empty bindings", () => {
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, namespaces: ["*"] })).toThrow(/wildcard/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, serviceAccountNames: ["app-*"] })).toThrow(/wildcard/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, serviceAccountNames: [] })).toThrow(/at least one/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, policies: [] })).toThrow(/at least one policy/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, tokenTtlSeconds: 0 })).toThrow(/positive/);
    });
});

describe("StackGres credential document", () => {
    it("holds exactly the seven keys StackGres expects, with StackGres' usernames", () => {
        const data = stackGresCredentialData({ superuser: "s", replication: "r", authenticator: "a", restapi: "p" });
        expect(Object.keys(data).sort()).toEqual([...STACKGRES_CREDENTIAL_KEYS].sort());
        expect(data["superuser-username"]).toBe("postgres");
        expect(data["replication-username"]).toBe("replicator");
        expect(data["authenticator-username"]).toBe("authenticator");
        expect(data["restapi-password"]).toBe("p");
    });
});

describe("vault-helm values", () => {
    const dev = { mode: "dev" as const, openshift: true, ui: true, injector: true, csiProvider: true, haReplicas: 3, images };

    it("reproduces the seed's second helm run on OpenShift, with no root token in the values", () => {
        const v = vaultHelmValues(dev, "vault", "vault");
        expect(v.global).toEqual({ openshift: true, tlsDisable: true });
        expect(v.ui).toEqual({ enabled: true });
        // The token comes from a Secret (vaultChartTransforms); empty, never the chart default "root".
        expect(v.server.dev).toEqual({ enabled: true, devRootToken: "" });
        expect(v.server.route).toEqual({ enabled: true, host: null, tls: { termination: "edge" } });
        expect(v.injector.enabled).toBe(true);
        expect(v.csi.enabled).toBe(true);
        expect(v.csi.daemonSet.securityContext.container.privileged).toBe(true);
    });

    it("pins every image tag to the chart's own", () => {
        const v = vaultHelmValues(dev, "vault", "vault");
        expect(v.server.image.tag).toBe(PINNED.vaultChart.appVersion);
        expect(v.injector.image.tag).toBe(PINNED.vaultChart.injectorVersion);
        expect(v.csi.image.tag).toBe(PINNED.vaultChart.csiProviderVersion);
    });

    it("switches the injector and CSI provider off, and uses an Ingress on plain Kubernetes", () => {
        const v = vaultHelmValues({ ...dev, openshift: false, injector: false, csiProvider: false, ingressHost: "vault.local" }, "vault", "vault");
        expect(v.global.openshift).toBe(false);
        expect(v.server.route).toBeUndefined();
        expect(v.server.ingress).toEqual({ enabled: true, hosts: [{ host: "vault.local", paths: [] }] });
        expect(v.injector.enabled).toBe(false);
        expect(v.csi).toEqual({ enabled: false });
    });

    it("builds HA Raft with TLS, skipAwait on the StatefulSet and the seal stanza", () => {
        const seal = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        const v = vaultHelmValues({ ...dev, mode: "ha", tlsSecretName: "vault-tls", sealConfig: seal }, "vault", "vault");
        expect(v.server.dev).toBeUndefined();
        expect(v.global.tlsDisable).toBe(false);
        expect(v.server.ha.enabled).toBe(true);
        expect(v.server.ha.replicas).toBe(3);
        expect(v.server.ha.raft.enabled).toBe(true);
        expect(v.server.statefulSet.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
        expect(v.server.route.tls.termination).toBe("passthrough");
        expect(v.server.ha.raft.config).toContain(seal);
        expect(() => vaultHelmValues({ ...dev, mode: "ha" }, "vault", "vault")).toThrow(/tlsSecretName/);
    });

    it("keeps VAULT_CACERT, VAULT_TLSCERT and VAULT_TLSKEY out of the HA server's environment, which a transit seal's client also reads", () => {
        const seal = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        const v = vaultHelmValues({ ...dev, mode: "ha", tlsSecretName: "vault-tls", sealConfig: seal, sealSecretEnv: [{ envName: "VAULT_TOKEN", secretName: "t", secretKey: "token" }] }, "vault", "vault");
        const envNames = [...Object.keys(v.server.extraEnvironmentVars ?? {}), ...(v.server.extraSecretEnvironmentVars ?? []).map((e: { envName: string }) => e.envName)];
        expect(envNames).toEqual(["VAULT_TOKEN"]);
        // What needed the CA still has it: Raft's retry_join names its files, and the volume stays mounted.
        expect(v.server.ha.raft.config).toContain('leader_ca_cert_file     = "/vault/userconfig/vault-tls/ca.crt"');
        expect(v.server.volumeMounts).toEqual([{ mountPath: "/vault/userconfig/vault-tls", name: "userconfig-vault-tls", readOnly: true }]);
    });

    it("mounts the client CA into the CSI provider and bypasses its CA-less agent when a private CA is used", () => {
        const v = vaultHelmValues({ ...dev, clientCaSecretName: "vault-ca" }, "vault", "vault");
        expect(v.csi.agent).toEqual({ enabled: false });
        expect(v.csi.volumes).toEqual([{ name: "vault-ca", secret: { secretName: "vault-ca" } }]);
        expect(v.csi.volumeMounts).toEqual([{ name: "vault-ca", mountPath: "/vault/userconfig/vault-ca", readOnly: true }]);
        const plain = vaultHelmValues(dev, "vault", "vault");
        expect(plain.csi.agent).toBeUndefined();
        expect(plain.csi.volumes).toBeUndefined();
    });

    it("joins every Raft peer over TLS", () => {
        const cfg = raftServerConfig({ haReplicas: 5 }, "vault", "secure");
        expect(cfg.match(/retry_join \{/g)).toHaveLength(5);
        expect(cfg).toContain('leader_api_addr         = "https://vault-4.vault-internal.secure.svc:8200"');
        expect(cfg).toContain('tls_cert_file   = "/vault/userconfig/vault-tls/tls.crt"');
        expect(cfg).not.toContain("tls_disable");
    });
});
