/**
 * The kind stack (plain Kubernetes on a laptop): operators from Helm charts, two applications
 * with different delivery patterns, and no way for one application to reach the other's secret.
 * Its applications' names, database roles, ServiceAccounts and namespaces all differ, so every
 * expectation below is a literal that a name wired to the wrong place breaks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, one, registrations, valueOf } from "../../support/mocks";
import { buildStackUnderMocks, inventory, registeredAccess } from "../../support/stack";

let outputs: Awaited<ReturnType<typeof buildStackUnderMocks>>["outputs"];

beforeAll(async () => {
    ({ outputs } = await buildStackUnderMocks("kind"));
});

const K = "kubernetes:";

describe("kind stack inventory", () => {
    it("declares the same graph as dev, with Helm-installed operators instead of OLM and no OpenShift objects", () => {
        expect(inventory()).toEqual([
            "kubernetes:apps/v1:Deployment app-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-csi-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-direct-deployment rhbk",
            "kubernetes:apps/v1:Deployment keycloak-postgresql-debug-injector-deployment rhbk",
            "kubernetes:apps/v1:Deployment reports-deployment analytics",
            "kubernetes:batch/v1:Job keycloak-postgresql-sql-gate-job rhbk",
            "kubernetes:batch/v1:Job stackgres-operator-wait-job stackgres",
            "kubernetes:core/v1:Namespace ns-analytics -",
            "kubernetes:core/v1:Namespace ns-rhbk -",
            "kubernetes:core/v1:Namespace ns-stackgres -",
            "kubernetes:core/v1:Namespace ns-vault -",
            "kubernetes:core/v1:Namespace ns-vault-secrets-operator-system -",
            "kubernetes:core/v1:Secret keycloak-postgresql-vault-admin-sql rhbk",
            "kubernetes:core/v1:Secret vault-dev-root-token vault",
            "kubernetes:core/v1:ServiceAccount app-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-admin-sync-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-debug-serviceaccount rhbk",
            "kubernetes:core/v1:ServiceAccount keycloak-postgresql-sql-gate-sa rhbk",
            "kubernetes:core/v1:ServiceAccount reports-serviceaccount analytics",
            "kubernetes:core/v1:ServiceAccount stackgres-operator-wait-sa stackgres",
            "kubernetes:helm.sh/v3:Release stackgres-operator-release stackgres",
            "kubernetes:helm.sh/v4:Chart secrets-store-csi-driver-chart kube-system",
            "kubernetes:helm.sh/v4:Chart vault-chart vault",
            "kubernetes:helm.sh/v4:Chart vault-secrets-operator-chart vault-secrets-operator-system",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole stackgres-operator-wait-clusterrole -",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding stackgres-operator-wait-clusterrolebinding -",
            "kubernetes:rbac.authorization.k8s.io/v1:Role keycloak-postgresql-sql-gate-role rhbk",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding keycloak-postgresql-sql-gate-rolebinding rhbk",
            "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass keycloak-postgresql-debug-csi-spc rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth keycloak-postgresql-admin-sync-auth rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth reports-sync-auth analytics",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection keycloak-postgresql-admin-sync-connection rhbk",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection reports-sync-connection analytics",
            "kubernetes:secrets.hashicorp.com/v1beta1:VaultDynamicSecret reports-sync-secret analytics",
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
            "vault:database/secretBackendStaticRole:SecretBackendStaticRole app-reports-static-role -",
            "vault:index/authBackend:AuthBackend kubernetes-auth-backend -",
            "vault:index/mount:Mount database-secrets-mount -",
            "vault:index/mount:Mount keycloak-postgresql-admin-kv -",
            "vault:index/policy:Policy app-app-policy -",
            "vault:index/policy:Policy app-reports-policy -",
            "vault:index/policy:Policy keycloak-postgresql-admin-policy -",
            "vault:kubernetes/authBackendConfig:AuthBackendConfig kubernetes-auth-config -",
            "vault:kubernetes/authBackendRole:AuthBackendRole app-app-auth-role -",
            "vault:kubernetes/authBackendRole:AuthBackendRole app-reports-auth-role -",
            "vault:kubernetes/authBackendRole:AuthBackendRole kubernetes-auth-role-keycloak-postgresql-admin -",
            "vault:kv/secretV2:SecretV2 keycloak-postgresql-admin-secret -",
        ]);
        expect(registrations.some((r) => r.type.includes("operators.coreos.com") || r.type.includes("openshift.io"))).toBe(false);
    });

    it("renders Vault for plain Kubernetes: no Route, no SCC binding", () => {
        const values = one(`${K}helm.sh/v4:Chart`, "vault-chart").inputs.values;
        expect(values.global.openshift).toBe(false);
        expect(values.server.route).toBeUndefined();
        expect(registrations.filter((r) => r.name.endsWith("privileged-scc"))).toHaveLength(0);
    });
});

describe("ordering on plain Kubernetes", () => {
    it("VSO custom resources wait for the VSO chart (which ships the CRDs)", () => {
        const chart = one(`${K}helm.sh/v4:Chart`, "vault-secrets-operator-chart");
        for (const r of registrations.filter((x) => x.type.startsWith(`${K}secrets.hashicorp.com/`))) {
            expect(dependsOnTransitively(r, chart), r.name).toBe(true);
        }
    });

    it("the SecretProviderClass waits for the CSI driver chart", () => {
        const spc = one(`${K}secrets-store.csi.x-k8s.io/v1:SecretProviderClass`, "keycloak-postgresql-debug-csi-spc");
        expect(dependsOnTransitively(spc, one(`${K}helm.sh/v4:Chart`, "secrets-store-csi-driver-chart"))).toBe(true);
    });

    it("StackGres resources wait for the operator's CRDs, not just its Helm release", () => {
        const gate = one(`${K}batch/v1:Job`, "stackgres-operator-wait-job");
        expect(dependsOnTransitively(gate, one(`${K}helm.sh/v3:Release`, "stackgres-operator-release"))).toBe(true);
        expect(dependsOnTransitively(one(`${K}stackgres.io/v1:SGCluster`, "keycloak-postgresql-cluster"), gate)).toBe(true);
    });

    it("the synced application's Deployment restarts when VSO sees a rotation", () => {
        const vds = one(`${K}secrets.hashicorp.com/v1beta1:VaultDynamicSecret`, "reports-sync-secret").inputs.spec;
        expect(vds).toMatchObject({ mount: "database", path: "static-creds/reports", allowStaticCreds: true });
        expect(vds.rolloutRestartTargets).toEqual([{ kind: "Deployment", name: "reports" }]);
    });
});

describe("application isolation", () => {
    // name -> where it runs, as whom, and the PostgreSQL role it logs in as (Pulumi.kind.yaml).
    const apps = {
        app: { ns: "rhbk", sa: "app-runner", role: "app_owner" },
        reports: { ns: "analytics", sa: "reports-reader", role: "reporting_ro" },
    } as const;

    it("each application's policy reads only its own static credentials, named after the application", () => {
        for (const name of Object.keys(apps)) {
            const hcl: string = one("vault:index/policy:Policy", `app-${name}-policy`).inputs.policy;
            expect(hcl).toBe(`path "database/static-creds/${name}" {\n  capabilities = ["read"]\n}\n`);
        }
    });

    it("each application's auth role is bound to its own service account and namespace and carries only its own policy", () => {
        for (const [name, a] of Object.entries(apps)) {
            const role = one("vault:kubernetes/authBackendRole:AuthBackendRole", `app-${name}-auth-role`).inputs;
            expect(role.roleName).toBe(name);
            expect(role.boundServiceAccountNames).toEqual([a.sa]);
            expect(role.boundServiceAccountNamespaces).toEqual([a.ns]);
            expect(role.tokenPolicies).toEqual([`${name}-database-creds`]);
        }
    });

    it("each static role is named after its application, rotates its own database role, and the connection allows it", () => {
        for (const [name, a] of Object.entries(apps)) {
            expect(one("vault:database/secretBackendStaticRole:SecretBackendStaticRole", `app-${name}-static-role`).inputs).toMatchObject({
                backend: "database",
                name,
                dbName: "keycloak-postgresql",
                username: a.role,
            });
        }
        // allowed_roles lists static roles (application names), never database roles.
        expect(one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection").inputs.allowedRoles).toEqual(["app", "reports"]);
        // StackGres creates the database roles, not the application names.
        expect(one(`${K}stackgres.io/v1:SGScript`, "keycloak-postgresql-roles").inputs.spec.scripts.map((e: any) => e.name)).toEqual([
            "vault-admin-role",
            "app-role-app-owner",
            "app-role-reporting-ro",
            "grant-managed-roles",
        ]);
    });

    it("from each auth role, the registered chain reaches exactly the application's own database role, and Vault would accept it", () => {
        for (const [name, a] of Object.entries(apps)) {
            expect(registeredAccess(name)).toEqual({
                serviceAccounts: [a.sa],
                namespaces: [a.ns],
                policies: [`${name}-database-creds`],
                readablePaths: [`database/static-creds/${name}`],
                staticRoles: [{ backend: "database", name, username: a.role, dbName: "keycloak-postgresql" }],
                allowedByConnection: [true],
            });
        }
    });

    it("each workload runs as its application's ServiceAccount, logs in with its auth role and reads its own path", () => {
        const app = one(`${K}apps/v1:Deployment`, "app-deployment").inputs;
        expect(app.metadata).toMatchObject({ name: "app", namespace: "rhbk" });
        expect(app.spec.template.spec.serviceAccountName).toBe("app-runner");
        const fetcher: string = app.spec.template.spec.containers.find((c: any) => c.name === "fetcher").command[2];
        expect(fetcher).toContain("\nROLE='app'\n");
        expect(fetcher).toContain("\nSECRET_PATH='database/static-creds/app'\n");
        // The psql check logs in as the database role, not as the application.
        const psql: string = app.spec.template.spec.containers.find((c: any) => c.name === "psql").readinessProbe.exec.command[2];
        expect(psql).toContain("'postgres://app_owner@keycloak-postgresql.rhbk.svc.cluster.local:5432/postgres?");
        const reports = one(`${K}apps/v1:Deployment`, "reports-deployment").inputs;
        expect(reports.metadata).toMatchObject({ name: "reports", namespace: "analytics" });
        expect(reports.spec.template.spec.serviceAccountName).toBe("reports-reader");
        expect(one(`${K}core/v1:ServiceAccount`, "reports-serviceaccount").inputs.metadata).toMatchObject({ name: "reports-reader", namespace: "analytics" });
        expect(one(`${K}core/v1:ServiceAccount`, "app-serviceaccount").inputs.metadata).toMatchObject({ name: "app-runner", namespace: "rhbk" });
        expect(one(`${K}secrets.hashicorp.com/v1beta1:VaultAuth`, "reports-sync-auth").inputs.spec.kubernetes).toEqual({
            role: "reports",
            serviceAccount: "reports-reader",
            audiences: ["https://kubernetes.default.svc"],
        });
    });

    it("no Kubernetes object in one application's namespace names the other application's credentials", () => {
        const reportsObjects = registrations.filter((r) => r.type.startsWith(K) && r.inputs.metadata?.namespace === "analytics");
        expect(reportsObjects.length).toBeGreaterThan(0);
        for (const r of reportsObjects) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain("static-creds/app");
        }
        const appDeployment = JSON.stringify(one(`${K}apps/v1:Deployment`, "app-deployment").inputs);
        expect(appDeployment).toContain("database/static-creds/app");
        expect(appDeployment).not.toContain("static-creds/reports");
    });
});

describe("stack outputs", () => {
    it("name, per application, the path and auth role the registered Vault objects serve it", () => {
        expect(outputs.applications).toEqual([
            { name: "app", credsPath: "database/static-creds/app", authRole: "app", delivery: "direct" },
            { name: "reports", credsPath: "database/static-creds/reports", authRole: "reports", delivery: "sync" },
        ]);
        for (const a of outputs.applications) {
            expect(registeredAccess(a.authRole).readablePaths, a.name).toEqual([a.credsPath]);
        }
    });

    it("name the admin credentials path, the database host and the shared connection as registered", async () => {
        const kv = one("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret").inputs;
        expect(await valueOf(outputs.adminCredentialsPath)).toBe("kv-v2/data/keycloak-postgresql/config");
        expect(`${kv.mount}/data/${kv.name}`).toBe("kv-v2/data/keycloak-postgresql/config");
        expect(outputs.databaseHost).toBe("keycloak-postgresql.rhbk.svc.cluster.local");
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection").inputs;
        expect(conn.postgresql.connectionUrl).toContain("@keycloak-postgresql.rhbk.svc.cluster.local:5432/");
        expect(outputs.sharedConnection).toEqual({
            databaseMount: "database",
            connectionName: "keycloak-postgresql",
            kubernetesAuthMount: "kubernetes",
            audience: "https://kubernetes.default.svc",
            vaultInClusterAddress: "http://vault.vault.svc.cluster.local:8200",
        });
        expect([conn.backend, conn.name]).toEqual(["database", "keycloak-postgresql"]);
        expect(one("vault:index/authBackend:AuthBackend", "kubernetes-auth-backend").inputs.path).toBe("kubernetes");
        expect(outputs.vaultInClusterAddress).toBe("http://vault.vault.svc.cluster.local:8200");
        expect(outputs.vaultAddress).toBe("http://127.0.0.1:8200");
    });
});
