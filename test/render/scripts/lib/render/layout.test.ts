/** scripts/lib/render/layout.ts on the fixture program: one file per object where its category puts it, stable names and key order. */
import { describe, expect, it } from "vitest";
import { renderedFixture } from "./fixture";

const { rendered, file, yamlOf, entry } = renderedFixture();

describe("layout", () => {
    it("writes one file per Kubernetes object under k8s/<namespace | _cluster>/<kind>-<name>.yaml", () => {
        const k8s = [...rendered().files.keys()].filter((p) => p.startsWith("k8s/"));
        expect(k8s).toEqual([
            "k8s/_cluster/clustercsidriver-secrets-store.csi.k8s.io.yaml",
            "k8s/_cluster/namespace-rhbk.yaml",
            "k8s/_cluster/namespace-vault.yaml",
            "k8s/openshift-cluster-csi-drivers/operatorgroup-csi.yaml",
            "k8s/openshift-operators/subscription-vault-secrets-operator.yaml",
            "k8s/openshift-operators/vaultconnection-vaultconnection.yaml",
            expect.stringMatching(/^k8s\/rhbk\/configmap-vault-info-[0-9a-f]{8}\.yaml$/),
            "k8s/rhbk/deployment-app.yaml",
            "k8s/rhbk/secret-vault-admin.yaml",
            "k8s/rhbk/secretproviderclass-keycloak-postgresql.yaml",
            "k8s/rhbk/serviceaccount-app.yaml",
            "k8s/rhbk/sgcluster-keycloak-postgresql.yaml",
            "k8s/rhbk/vaultauth-static-auth.yaml",
            "k8s/rhbk/vaultstaticsecret-keycloak-postgresql.yaml",
        ]);
    });

    it("keeps apiVersion, kind, metadata, spec first and sorts the rest", () => {
        const text = file("k8s/rhbk/sgcluster-keycloak-postgresql.yaml");
        const topKeys = text.split("\n").filter((l) => /^[A-Za-z]/.test(l)).map((l) => l.split(":")[0]);
        expect(topKeys).toEqual(["apiVersion", "kind", "metadata", "spec"]);
        const specKeys = text.split("\n").filter((l) => /^ {2}[A-Za-z]/.test(l) && !l.startsWith("  name") && !l.startsWith("  namespace")).map((l) => l.trim().split(":")[0]);
        expect(specKeys).toEqual(["configurations", "instances", "pods", "postgres"]);
        expect(text.startsWith("# kubernetes:stackgres.io/v1:SGCluster::keycloak-postgresql\napiVersion: stackgres.io/v1\n")).toBe(true);
    });

    it("auto-names objects without metadata.name like the provider (deterministically)", () => {
        const p = [...rendered().files.keys()].find((x) => x.startsWith("k8s/rhbk/configmap-vault-info-"))!;
        expect(yamlOf(p).metadata.name).toBe(p.slice("k8s/rhbk/configmap-".length, -".yaml".length));
        expect(entry("kubernetes:core/v1:ConfigMap::vault-info").autonamed).toBe(true);
    });

    it("renders each Helm chart as chart, version, repo and values", () => {
        const vault = yamlOf("helm/vault.yaml");
        expect(Object.keys(vault)).toEqual(["chart", "version", "repo", "namespace", "resourceType", "values"]);
        expect(vault).toMatchObject({ chart: "vault", version: "0.34.1", repo: "https://helm.releases.hashicorp.com", namespace: "vault", resourceType: "kubernetes:helm.sh/v4:Chart" });
        expect(vault.values.server.route).toEqual({ enabled: true, host: null, tls: { termination: "edge" } });
        const sg = yamlOf("helm/stackgres-operator.yaml");
        expect(sg).toMatchObject({ chart: "stackgres-operator", version: "1.18.6", resourceType: "kubernetes:helm.sh/v3:Release", options: { createNamespace: true } });
    });

    it("renders the Vault configuration: mounts, auth, roles, policies as HCL, connections, static roles, KV key names", () => {
        expect([...rendered().files.keys()].filter((p) => p.startsWith("vault/"))).toEqual([
            "vault/auth/kubernetes/backend.yaml",
            "vault/auth/kubernetes/config.yaml",
            "vault/auth/kubernetes/roles/keycloak-role.yaml",
            "vault/database/database/connections/keycloak-postgresql.yaml",
            "vault/database/database/static-roles/app.yaml",
            "vault/kv/kv-v2/keycloak-postgresql/config.yaml",
            "vault/mounts/database.yaml",
            "vault/mounts/kv-v2.yaml",
            "vault/policies/keycloak-postgresql-policy.hcl",
        ]);
        expect(file("vault/policies/keycloak-postgresql-policy.hcl")).toBe(
            '# vault:index/policy:Policy::keycloak-postgresql-policy\npath "kv-v2/data/keycloak-postgresql/config" {\n  capabilities = ["read"]\n}\n',
        );
        expect(yamlOf("vault/auth/kubernetes/roles/keycloak-role.yaml")).toMatchObject({
            boundServiceAccountNames: ["default", "keycloak-postgresql-patroni"],
            boundServiceAccountNamespaces: ["rhbk"],
            tokenPolicies: ["keycloak-postgresql-policy"],
        });
        expect(yamlOf("vault/database/database/connections/keycloak-postgresql.yaml")).toEqual({
            name: "keycloak-postgresql",
            plugin: "postgresql",
            allowedRoles: ["app"],
            connectionUrl: "postgresql://{{username}}:{{password}}@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=disable",
            username: "vault_admin",
            password: "[secret]",
            verifyConnection: true,
        });
        expect(yamlOf("vault/database/database/static-roles/app.yaml")).toEqual({ name: "app", backend: "database", dbName: "keycloak-postgresql", username: "app", rotationPeriod: 86400 });
        expect(yamlOf("vault/kv/kv-v2/keycloak-postgresql/config.yaml")).toEqual({
            name: "keycloak-postgresql/config",
            mount: "kv-v2",
            keys: ["replication-password", "replication-username", "superuser-password", "superuser-username"],
        });
    });
});
