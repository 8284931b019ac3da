/**
 * The render engine on a fixture program shaped like the real one: layout, stable names and key
 * order, secrets masked (and provably absent), unknowns marked, dependency edges, determinism.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { capture, CaptureError } from "../../scripts/lib/engine";
import { RenderResult } from "../../scripts/lib/render";
import { fromYaml } from "../../scripts/lib/yaml";
import { findLeaks, renderFixture, treeText } from "../support/render";
import { validateRendered } from "../support/schemas";

let result: RenderResult;
const file = (p: string) => {
    const c = result.files.get(p);
    if (c === undefined) throw new Error(`no rendered file ${p}; have:\n${[...result.files.keys()].join("\n")}`);
    return c;
};
const yamlOf = (p: string) => fromYaml(file(p)) as Record<string, any>;
const index = () => yamlOf("index.yaml");
const entry = (id: string) => {
    const e = index().resources.find((r: { id: string }) => r.id === id);
    if (!e) throw new Error(`no index entry ${id}`);
    return e;
};

beforeAll(async () => {
    result = await renderFixture();
});

describe("layout", () => {
    it("writes one file per Kubernetes object under k8s/<namespace | _cluster>/<kind>-<name>.yaml", () => {
        const k8s = [...result.files.keys()].filter((p) => p.startsWith("k8s/"));
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
        const p = [...result.files.keys()].find((x) => x.startsWith("k8s/rhbk/configmap-vault-info-"))!;
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
        expect([...result.files.keys()].filter((p) => p.startsWith("vault/"))).toEqual([
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

    it("summarises images and elevated privileges for review", () => {
        expect(index().review).toEqual({
            images: { "registry.access.redhat.com/ubi9/ubi:9.4": ["k8s/rhbk/deployment-app.yaml"] },
            elevatedPrivileges: [{ file: "helm/vault.yaml", path: "values.csi.daemonSet.securityContext.container.privileged", setting: "privileged: true" }],
        });
    });

    it("indexes every registration with parents and dependency edges", () => {
        const sg = entry("kubernetes:stackgres.io/v1:SGCluster::keycloak-postgresql");
        expect(sg).toMatchObject({
            category: "kubernetes",
            file: "k8s/rhbk/sgcluster-keycloak-postgresql.yaml",
            parent: "vaultkit:index:FixturePlatform::platform",
            provider: "pulumi:providers:kubernetes::k8s",
            dependsOn: ["kubernetes:helm.sh/v3:Release::stackgres-operator", "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret::keycloak-postgresql-vss"],
        });
        expect(entry("vault:index/policy:Policy::keycloak-postgresql-policy").dependsOn).toEqual(["vault:index/mount:Mount::kv-v2"]);
        expect(entry("pulumi:providers:vault::vault").dependsOn).toEqual([
            "kubernetes:helm.sh/v4:Chart::vault",
            "random:index/randomPassword:RandomPassword::vault-dev-root-token",
        ]);
        expect(index().counts).toEqual({ component: 1, helm: 2, kubernetes: 14, other: 4, provider: 2, vault: 8 });
    });
});

describe("secrets", () => {
    it("replaces every value that reached the engine as a secret with [secret]", () => {
        expect(yamlOf("helm/vault.yaml").values.server.dev.devRootToken).toBe("[secret]");
        expect(yamlOf("providers/vault-vault.yaml").token).toBe("[secret]");
        expect(yamlOf("k8s/rhbk/secret-vault-admin.yaml").stringData).toEqual({ password: "[secret]", username: "[secret]" });
        expect(index().outputs).toEqual({ kvMount: "kv-v2", vaultRootToken: "[secret]" });
        expect(entry("vault:database/secretsMount:SecretsMount::database").secretInputs).toEqual(["postgresqls[0].password"]);
    });

    it("never writes an injected secret value, in any encoding", () => {
        expect(result.injectedSecrets.length).toBe(8); // 4 RandomPasswords x (result, bcryptHash)
        expect(findLeaks(result.files, result.injectedSecrets)).toEqual([]);
    });

    it("the leak search finds a planted secret (plain and base64)", () => {
        const s = result.injectedSecrets[0]!;
        const planted = new Map(result.files);
        planted.set("k8s/x/a.yaml", `v: ${s}\n`);
        planted.set("k8s/x/b.yaml", `v: ${Buffer.from(s).toString("base64")}\n`);
        expect(findLeaks(planted, result.injectedSecrets).map((l) => [l.file, l.encoding])).toEqual([
            ["k8s/x/a.yaml", "plain"],
            ["k8s/x/b.yaml", "base64"],
        ]);
    });

    it("masks plaintext credentials that were not marked secret, and reports them", async () => {
        const leaky = await renderFixture({ leakPasswordInEnv: true }, "leaky");
        const env = (fromYaml(leaky.files.get("k8s/rhbk/deployment-app.yaml")!) as any).spec.template.spec.containers[0].env;
        expect(env).toEqual([{ name: "PGPASSWORD", value: "[secret]" }]);
        expect([...leaky.files.values()].some((c) => c.includes("hunter2-plaintext"))).toBe(false);
        expect(leaky.unmarkedSecrets).toEqual([
            { resource: "kubernetes:apps/v1:Deployment::app", path: "spec.template.spec.containers[0].env[0].value", reason: "environment variable PGPASSWORD holds a plaintext value" },
        ]);
        expect((fromYaml(leaky.files.get("index.yaml")!) as any).unmarkedSecrets).toHaveLength(1);
        expect(result.unmarkedSecrets).toEqual([]);
    });

    it("hands the program RandomPassword results as secrets", async () => {
        let secret: boolean | undefined;
        await capture({
            project: "vaultkit",
            stack: "probe",
            program: async () => {
                const { RandomPassword } = await import("@pulumi/random");
                secret = await pulumi.isSecret(new RandomPassword("p", { length: 20 }).result);
            },
        });
        expect(secret).toBe(true);
    });
});

describe("values unknown before deployment", () => {
    it("are rendered as [unknown until deployment] and listed in the index", () => {
        const p = [...result.files.keys()].find((x) => x.startsWith("k8s/rhbk/configmap-vault-info-"))!;
        expect(yamlOf(p).data).toEqual({ kvAccessor: "[unknown until deployment]", kvPath: "kv-v2" });
        expect(entry("kubernetes:core/v1:ConfigMap::vault-info").unknownInputs).toEqual(["data.kvAccessor"]);
    });
});

describe("the engine", () => {
    it("fails loudly when the program throws or a registration fails", async () => {
        await expect(
            capture({
                project: "vaultkit",
                stack: "broken",
                program: () => {
                    throw new Error("config is wrong");
                },
            }),
        ).rejects.toThrow(CaptureError);
        await expect(capture({ project: "vaultkit", stack: "broken", program: () => { throw new Error("config is wrong"); } })).rejects.toThrow(/config is wrong/);
    });

    it("renders byte-identical trees twice in one process", async () => {
        const again = await renderFixture();
        expect(treeText(again.files)).toBe(treeText(result.files));
    });

    it("validates the fixture cleanly (the negative tests in validator.test.ts prove the checks bite)", async () => {
        const report = await validateRendered(result.files);
        expect(report.violations).toEqual([]);
        expect(report.checked.length).toBe(16);
    });

    it("catches a broken object in a rendered tree", async () => {
        const broken = await renderFixture({ sgClusterSpecPatch: { instances: "three", postgress: {} } }, "broken");
        const report = await validateRendered(broken.files);
        expect(report.violations.map((v) => [v.object, v.path, v.message])).toEqual([
            ["SGCluster rhbk/keycloak-postgresql", "/spec/instances", 'must be integer; got string "three"'],
            ["SGCluster rhbk/keycloak-postgresql", "/spec/postgress", "unknown field (the schema does not declare it)"],
        ]);
    });
});
