/**
 * The dev stack (the seed's OpenShift lab) as one graph: every resource it declares, the edges
 * each ordering hazard needs, the four delivery patterns agreeing on one Vault path and role, and
 * no generated credential anywhere outside a secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, generatedSecrets, one, ofType, parentOf, registrations } from "../../support/mocks";
import { buildStackUnderMocks, coveredBySecret, inventory, pathsContaining } from "../../support/stack";

let outputs: Awaited<ReturnType<typeof buildStackUnderMocks>>["outputs"];

beforeAll(async () => {
    ({ outputs } = await buildStackUnderMocks("dev"));
});

const K = "kubernetes:";
const get = (type: string, name: string) => one(type, name);
const job = (name: string) => get(`${K}batch/v1:Job`, name);

describe("dev stack inventory", () => {
    it("declares exactly the seed's objects plus the gates and fixes it needs", () => {
        expect(inventory()).toEqual([
            "kubernetes:apps/v1:Deployment app-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-csi-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-direct-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-injector-deployment rhbk",
            "kubernetes:batch/v1:Job keycloak-postgresql-sql-gate-job rhbk",
            "kubernetes:batch/v1:Job secrets-store-csi-operator-wait-job openshift-cluster-csi-drivers",
            "kubernetes:batch/v1:Job stackgres-operator-wait-job openshift-operators",
            "kubernetes:batch/v1:Job vault-secrets-operator-wait-job openshift-operators",
            "kubernetes:core/v1:Namespace ns-rhbk -",
            "kubernetes:core/v1:Namespace ns-vault -",
            "kubernetes:core/v1:Secret keycloak-postgresql-vault-admin-sql rhbk",
            "kubernetes:core/v1:Secret vault-dev-root-token vault",
            "kubernetes:core/v1:ServiceAccount app-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-admin-sync-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-debug-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-sql-gate-sa rhbk",
            "kubernetes:core/v1:ServiceAccount secrets-store-csi-operator-wait-sa openshift-cluster-csi-drivers",
            "kubernetes:core/v1:ServiceAccount stackgres-operator-wait-sa openshift-operators",
            "kubernetes:core/v1:ServiceAccount vault-secrets-operator-wait-sa openshift-operators",
            "kubernetes:helm.sh/v4:Chart vault-chart vault",
            "kubernetes:operator.openshift.io/v1:ClusterCSIDriver secrets-store-csi-clustercsidriver -",
            "kubernetes:operators.coreos.com/v1:OperatorGroup secrets-store-csi-operator-operatorgroup openshift-cluster-csi-drivers",
            "kubernetes:operators.coreos.com/v1alpha1:Subscription secrets-store-csi-operator-subscription openshift-cluster-csi-drivers",
            "kubernetes:operators.coreos.com/v1alpha1:Subscription stackgres-operator-subscription openshift-operators",
            "kubernetes:operators.coreos.com/v1alpha1:Subscription vault-secrets-operator-subscription openshift-operators",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole secrets-store-csi-operator-wait-clusterrole -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole stackgres-operator-wait-clusterrole -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole vault-secrets-operator-wait-clusterrole -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding secrets-store-csi-operator-wait-clusterrolebinding -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding stackgres-operator-wait-clusterrolebinding -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding vault-secrets-operator-wait-clusterrolebinding -",
            "kubernetes:rbac.authorization.k8s.io/v1:Role keycloak-postgresql-sql-gate-role rhbk",
            "kubernetes:rbac.authorization.k8s.io/v1:Role secrets-store-csi-operator-wait-role openshift-cluster-csi-drivers",
            "kubernetes:rbac.authorization.k8s.io/v1:Role stackgres-operator-wait-role openshift-operators",
            "kubernetes:rbac.authorization.k8s.io/v1:Role vault-secrets-operator-wait-role openshift-operators",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding keycloak-postgresql-sql-gate-rolebinding rhbk",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding secrets-store-csi-operator-wait-rolebinding openshift-cluster-csi-drivers",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding stackgres-operator-wait-rolebinding openshift-operators",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding vault-csi-provider-privileged-scc vault",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding vault-secrets-operator-wait-rolebinding openshift-operators",
            "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass keycloak-postgresql-debug-csi-spc rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth keycloak-postgresql-admin-sync-auth rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection keycloak-postgresql-admin-sync-connection rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret keycloak-postgresql-admin-sync-secret rhbk",
            "kubernetes:stackgres.io/v1:SGCluster keycloak-postgresql-cluster rhbk",
            "kubernetes:stackgres.io/v1:SGInstanceProfile keycloak-postgresql-profile rhbk",
            "kubernetes:stackgres.io/v1:SGPostgresConfig keycloak-postgresql-pgconfig rhbk",
            "kubernetes:stackgres.io/v1:SGScript keycloak-postgresql-roles rhbk",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-authenticator-password -",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-replication-password -",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-restapi-password -",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-superuser-password -",
            "random:index/randomPassword:RandomPassword vault-admin-password -",
            "random:index/randomPassword:RandomPassword vault-dev-root-token -",
            "vault:database/secretBackendConnection:SecretBackendConnection database-secrets-connection -",
            "vault:database/secretBackendStaticRole:SecretBackendStaticRole app-app-static-role -",
            "vault:index/authBackend:AuthBackend kubernetes-auth-backend -",
            "vault:index/mount:Mount database-secrets-mount -",
            "vault:index/mount:Mount keycloak-postgresql-admin-kv -",
            "vault:index/policy:Policy app-app-policy -",
            "vault:index/policy:Policy keycloak-postgresql-admin-policy -",
            "vault:kubernetes/authBackendConfig:AuthBackendConfig kubernetes-auth-config -",
            "vault:kubernetes/authBackendRole:AuthBackendRole app-app-auth-role -",
            "vault:kubernetes/authBackendRole:AuthBackendRole kubernetes-auth-role-keycloak-role -",
            "vault:kv/secretV2:SecretV2 keycloak-postgresql-admin-secret -",
        ]);
    });

    it("groups children under their components", () => {
        expect(parentOf(get(`${K}helm.sh/v4:Chart`, "vault-chart"))).toBe("vaultkit:index:VaultServer::vault");
        expect(parentOf(get(`${K}stackgres.io/v1:SGCluster`, "keycloak-postgresql-cluster"))).toBe("vaultkit:index:StackGresCluster::keycloak-postgresql");
        expect(parentOf(get("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret"))).toBe("vaultkit:index:StackGresAdminCredentials::keycloak-postgresql-admin");
        expect(parentOf(get("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "app-app-static-role"))).toBe("vaultkit:index:ApplicationDatabaseAccess::app-app");
        expect(parentOf(get(`${K}secrets.hashicorp.com/v1beta1:VaultStaticSecret`, "keycloak-postgresql-admin-sync-secret"))).toBe("vaultkit:index:SecretSync::keycloak-postgresql-admin-sync");
        expect(parentOf(get(`${K}apps/v1:Deployment`, "app-deployment"))).toBe("vaultkit:index:UserCredentialsApp::app");
    });

    it("configures every Vault object through the one Vault provider and every Kubernetes object through the one Kubernetes provider", () => {
        for (const r of registrations.filter((x) => x.custom && x.type.startsWith("vault:"))) {
            expect(r.provider, r.name).toMatch(/::pulumi:providers:vault::vault::/);
        }
        for (const r of registrations.filter((x) => x.type.startsWith(K) && !x.type.startsWith("pulumi:providers"))) {
            expect(r.provider, r.name).toMatch(/::pulumi:providers:kubernetes::kubernetes::/);
        }
    });
});

describe("ordering hazards (one edge each)", () => {
    it("VSO custom resources wait for the VSO CSV, not just its Subscription", () => {
        for (const n of ["keycloak-postgresql-admin-sync-connection", "keycloak-postgresql-admin-sync-auth", "keycloak-postgresql-admin-sync-secret"]) {
            const cr = registrations.find((r) => r.name === n)!;
            expect(dependsOnTransitively(cr, job("vault-secrets-operator-wait-job")), n).toBe(true);
        }
    });

    it("StackGres custom resources wait for the StackGres CSV", () => {
        for (const [kind, n] of [
            ["SGCluster", "keycloak-postgresql-cluster"],
            ["SGScript", "keycloak-postgresql-roles"],
            ["SGInstanceProfile", "keycloak-postgresql-profile"],
            ["SGPostgresConfig", "keycloak-postgresql-pgconfig"],
        ]) {
            expect(dependsOnTransitively(get(`${K}stackgres.io/v1:${kind}`, n), job("stackgres-operator-wait-job")), n).toBe(true);
        }
    });

    it("the ClusterCSIDriver and the SecretProviderClass wait for the Secrets Store CSI operator", () => {
        const gate = job("secrets-store-csi-operator-wait-job");
        expect(dependsOnTransitively(get(`${K}operator.openshift.io/v1:ClusterCSIDriver`, "secrets-store-csi-clustercsidriver"), gate)).toBe(true);
        expect(dependsOnTransitively(get(`${K}secrets-store.csi.x-k8s.io/v1:SecretProviderClass`, "keycloak-postgresql-debug-csi-spc"), gate)).toBe(true);
    });

    it("Vault is configured only after the server is up (the provider depends on the chart)", () => {
        const provider = get("pulumi:providers:vault", "vault");
        expect(dependsOnTransitively(provider, get(`${K}helm.sh/v4:Chart`, "vault-chart"))).toBe(true);
        expect(provider.secretPaths).toContain("token");
    });

    it("the Vault provider trusts the router's ingress CA the stack names (edge Route, self-signed by default)", () => {
        expect(get("pulumi:providers:vault", "vault").inputs).toMatchObject({ caCertFile: "ingress-ca.crt", skipTlsVerify: "false" });
    });

    it("the admin Secret is synced only after the KV secret and the keycloak-role exist", () => {
        const vss = get(`${K}secrets.hashicorp.com/v1beta1:VaultStaticSecret`, "keycloak-postgresql-admin-sync-secret");
        expect(dependsOnTransitively(vss, get("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret"))).toBe(true);
        expect(dependsOnTransitively(vss, get("vault:kubernetes/authBackendRole:AuthBackendRole", "kubernetes-auth-role-keycloak-role"))).toBe(true);
    });

    it("StackGres needs the synced admin Secret before the SGCluster", () => {
        const cluster = get(`${K}stackgres.io/v1:SGCluster`, "keycloak-postgresql-cluster");
        expect(dependsOnTransitively(cluster, get(`${K}secrets.hashicorp.com/v1beta1:VaultStaticSecret`, "keycloak-postgresql-admin-sync-secret"))).toBe(true);
    });

    it("Vault's database connection (verified on write) waits for the primary and for StackGres to have applied the roles (the SQL gate)", () => {
        const conn = get("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        expect(dependsOnTransitively(conn, get(`${K}stackgres.io/v1:SGCluster`, "keycloak-postgresql-cluster"))).toBe(true);
        expect(dependsOnTransitively(conn, get(`${K}stackgres.io/v1:SGScript`, "keycloak-postgresql-roles"))).toBe(true);
        expect(dependsOnTransitively(conn, job("keycloak-postgresql-sql-gate-job"))).toBe(true);
    });

    it("the dev root token reaches Vault only through a Secret that is a Pulumi secret; the chart never holds it", () => {
        const token = get(`${K}core/v1:Secret`, "vault-dev-root-token");
        expect(token.secretPaths).toEqual(["stringData"]);
        const chart = get(`${K}helm.sh/v4:Chart`, "vault-chart");
        expect(chart.inputs.values.server.dev).toEqual({ enabled: true, devRootToken: "" });
        expect(JSON.stringify(chart.inputs)).not.toContain(token.inputs.stringData.token);
        expect(chart.transforms).toHaveLength(2);
        expect(dependsOnTransitively(chart, token)).toBe(true);
    });

    it("the static role (rotated at once) comes after the connection, and the app after its role and policy", () => {
        const staticRole = get("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "app-app-static-role");
        expect(dependsOnTransitively(staticRole, get("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection"))).toBe(true);
        const app = get(`${K}apps/v1:Deployment`, "app-deployment");
        expect(dependsOnTransitively(app, staticRole)).toBe(true);
        expect(dependsOnTransitively(app, get("vault:kubernetes/authBackendRole:AuthBackendRole", "app-app-auth-role"))).toBe(true);
    });
});

describe("the four delivery patterns read the same Vault secret with the same role", () => {
    const PATH = "kv-v2/data/keycloak-postgresql/config";
    const ROLE = "keycloak-role";

    it("secret sync (VSO)", () => {
        const vss = get(`${K}secrets.hashicorp.com/v1beta1:VaultStaticSecret`, "keycloak-postgresql-admin-sync-secret").inputs.spec;
        expect(`${vss.mount}/data/${vss.path}`).toBe(PATH);
        expect(get(`${K}secrets.hashicorp.com/v1beta1:VaultAuth`, "keycloak-postgresql-admin-sync-auth").inputs.spec.kubernetes.role).toBe(ROLE);
        expect(vss.destination.name).toBe("keycloak-postgresql-vault");
    });

    it("CSI", () => {
        const params = get(`${K}secrets-store.csi.x-k8s.io/v1:SecretProviderClass`, "keycloak-postgresql-debug-csi-spc").inputs.spec.parameters;
        expect(params.roleName).toBe(ROLE);
        expect(parseYaml(params.objects)).toEqual([{ objectName: "keycloak-postgresql-vault", secretPath: PATH }]);
    });

    it("injector", () => {
        const a = get(`${K}apps/v1:Deployment`, "keycloak-postgresql-debug-injector-deployment").inputs.spec.template.metadata.annotations;
        expect(a["vault.hashicorp.com/role"]).toBe(ROLE);
        expect(a["vault.hashicorp.com/agent-inject-secret-keycloak-postgresql-vault"]).toBe(PATH);
        expect(a["vault.hashicorp.com/secret-volume-path-keycloak-postgresql-vault"]).toBe("/mnt/secrets-store");
    });

    it("direct access", () => {
        const script: string = get(`${K}apps/v1:Deployment`, "keycloak-postgresql-debug-direct-deployment").inputs.spec.template.spec.containers[0].command.join(" ");
        expect(script).toContain(`ROLE='${ROLE}'`);
        expect(script).toContain(`SECRET_PATH='${PATH}'`);
        expect(script).toContain("OUT=\"${VAULTKIT_POD_ROOT:-}\"'/tmp/keycloak-postgresql-vault'");
    });

    it("and the SGCluster takes its credentials from the synced Secret", () => {
        const users = get(`${K}stackgres.io/v1:SGCluster`, "keycloak-postgresql-cluster").inputs.spec.configurations.credentials.users;
        expect(users.superuser.password).toEqual({ name: "keycloak-postgresql-vault", key: "superuser-password" });
    });
});

describe("user credentials (the seed's last step)", () => {
    it("the app reads its own static creds with its own role", () => {
        const script: string = get(`${K}apps/v1:Deployment`, "app-deployment").inputs.spec.template.spec.containers.map((c: any) => (c.command ?? []).join(" ")).join("\n");
        expect(script).toContain("SECRET_PATH='database/static-creds/app'");
        expect(script).toContain("ROLE='app'");
        expect(script).not.toContain("kv-v2/data/keycloak-postgresql/config");
    });

    it("Vault's connection uses the Vault admin role and allows only the declared static role", () => {
        const conn = get("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection").inputs;
        expect(conn.allowedRoles).toEqual(["app"]);
        expect(conn.postgresql.username).toBe("vault_admin");
        // StackGres's read-write Service (not the deprecated `-primary` alias), over TLS, which StackGres serves by default.
        expect(conn.postgresql.connectionUrl).toBe("postgresql://{{username}}:{{password}}@keycloak-postgresql.rhbk.svc.cluster.local:5432/postgres?sslmode=require");
    });
});

describe("state", () => {
    it("protects and retains nothing on a lab stack (protect defaults to production)", () => {
        expect(registrations.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name)).toEqual([]);
    });

    it("never replaces the admin credentials' passwords once created: every RandomPassword input is ignored", async () => {
        const { RANDOM_PASSWORD_INPUTS } = await import("../../../components/stackgres/stackGresAdminCredentials");
        const passwords = registrations.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("keycloak-postgresql-admin-"));
        expect(passwords).toHaveLength(4);
        for (const p of passwords) {
            expect([...p.ignoreChanges].sort(), p.name).toEqual([...RANDOM_PASSWORD_INPUTS].sort());
        }
    });
});

describe("secrets", () => {
    it("exports the generated dev root token only as a secret", async () => {
        expect(outputs.vaultRootToken).toBeDefined();
        expect(await pulumi.isSecret(outputs.vaultRootToken!)).toBe(true);
    });

    it("never puts a generated password or token into a non-secret input", () => {
        expect(generatedSecrets.length).toBe(6);
        for (const secret of generatedSecrets) {
            for (const r of registrations) {
                for (const p of pathsContaining(r.inputs, secret)) {
                    expect(coveredBySecret(r, p), `${r.type} ${r.name} carries a generated secret in plain input '${p}'`).toBe(true);
                }
            }
        }
    });

    it("passes the generated passwords where they belong", () => {
        const kv = get("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret");
        const sql = get(`${K}core/v1:Secret`, "keycloak-postgresql-vault-admin-sql");
        const conn = get("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        const adminPw = generatedSecrets.find((s) => s.startsWith("mock-password-vault-admin"))!;
        expect(pathsContaining(sql.inputs, adminPw).length).toBeGreaterThan(0);
        expect(conn.inputs.postgresql.password).toBe(adminPw);
        expect(JSON.parse(kv.inputs.dataJson)["superuser-password"]).toMatch(/^mock-password-keycloak-postgresq/);
        expect(ofType("random:index/randomPassword:RandomPassword").every((r) => r.inputs.special === false)).toBe(true);
    });
});
