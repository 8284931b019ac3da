/**
 * The database part: buildDatabase's SGCluster waits for the StackGres operator and the synced
 * admin Secret; existingDatabase declares nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import type * as k8sTypes from "@pulumi/kubernetes";
import type { DatabasePart, OperatorsReady, VaultPart } from "../../../stacks/contracts";
import { dependsOnTransitively, one, parentOf, registrations, settle, setupMocks, valueOf } from "../../support/mocks";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SG_CLUSTER = "kubernetes:stackgres.io/v1:SGCluster";

let part: DatabasePart;
let existingPart: DatabasePart;
let registeredBeforeExisting = 0;
let registeredAfterExisting = 0;
let build: typeof import("../../../stacks/database").buildDatabase;
let deps: { providers: { kubernetes: k8sTypes.Provider }; operators: OperatorsReady; vault: VaultPart };
let existingConfig: import("../../../stacks/config").StackConfig;

describe("buildDatabase", () => {
    beforeAll(async () => {
        await setupMocks();
        const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
        const vault = await import("@pulumi/vault");
        const { parseStackConfig } = await import("../../../stacks/config");
        const database = await import("../../../stacks/database");
        build = database.buildDatabase;

        const provider = new k8s.Provider("kubernetes", {});
        // Stand-ins for what other parts of the graph hand over.
        const stand = (name: string) => new k8s.core.v1.ConfigMap(name, { metadata: { namespace: "stand-ins" } }, { provider });
        const rhbk = new k8s.core.v1.Namespace("ns-rhbk", { metadata: { name: "rhbk" } }, { provider });
        const operators: OperatorsReady = { vaultSecretsOperator: [stand("vso-ready")], stackgres: [stand("stackgres-subscription"), stand("stackgres-wait")], secretsStoreCsi: [] };
        const vaultPart: VaultPart = {
            vaultProvider: new vault.Provider("vault", { address: "http://127.0.0.1:8200", token: pulumi.secret("test-token"), skipChildToken: true }),
            connection: { address: "http://vault.vault.svc.cluster.local:8200" },
            authMount: "kubernetes",
            admin: { kvMount: "kv-v2", secretPath: "keycloak-postgresql/config", policyName: "keycloak-postgresql-policy", authRoleName: "keycloak-role" },
            vaultAdminPassword: pulumi.secret("test-only-vault-admin-password-0123"),
            adminCredentialsPath: pulumi.output("kv-v2/data/keycloak-postgresql/config"),
            serverReady: [],
            adminCredentialsReady: [],
        };
        deps = { providers: { kubernetes: provider }, operators, vault: vaultPart };

        const config = parseStackConfig("test", {
            platform: "openshift",
            vault: { address: "https://vault.apps.example.com" },
            database: { instances: 2, volumeSize: "10Gi", postgresVersion: "15.6", storageClass: "gp3-csi" },
            // Application, database role, ServiceAccount and namespace differ on purpose.
            applications: [
                { name: "app", namespace: "rhbk", serviceAccount: "app-runner", databaseRole: "app_owner" },
                { name: "billing", namespace: "payments", serviceAccount: "billing-api", databaseRole: "billing_rw" },
            ],
        });
        part = build(config, {
            providers: { kubernetes: provider },
            namespaces: { rhbk },
            operators,
            vault: vaultPart,
            adminSecretSync: [stand("vault-static-secret")],
            managedRoles: ["app_owner", "billing_rw"],
        });
        await settle();

        registeredBeforeExisting = registrations.length;
        existingConfig = parseStackConfig("existing", {
            platform: "kubernetes",
            vault: { address: "http://127.0.0.1:8200" },
            database: { mode: "existing", host: "pg.example.com", port: 6432, database: "appdb" },
            databaseAdminPassword: "test-only-password-0123456789",
            applications: [{ name: "app", namespace: "apps", serviceAccount: "app-runner", databaseRole: "app_owner" }],
        });
        existingPart = database.existingDatabase(existingConfig);
        await settle();
        registeredAfterExisting = registrations.length;
    });

    it("declares the configured SGCluster in the database namespace with the config's settings", () => {
        const sg = one(SG_CLUSTER, "keycloak-postgresql-cluster");
        expect(parentOf(sg)).toBe("vaultkit:index:StackGresCluster::keycloak-postgresql");
        expect(sg.inputs.metadata).toMatchObject({ name: "keycloak-postgresql", namespace: "rhbk" });
        expect(sg.inputs.spec).toMatchObject({
            instances: 2,
            postgres: { version: "15.6" },
            pods: { persistentVolume: { size: "10Gi", storageClass: "gp3-csi" } },
        });
        expect(sg.inputs.spec.configurations.credentials.users.superuser.password).toEqual({ name: "keycloak-postgresql-vault", key: "superuser-password" });
        const script = one("kubernetes:stackgres.io/v1:SGScript", "keycloak-postgresql-roles");
        expect(script.inputs.spec.scripts.map((e: any) => e.name)).toEqual(["vault-admin-role", "app-role-app-owner", "app-role-billing-rw", "grant-managed-roles"]);
        expect(script.inputs.spec.scripts[1].script).toContain("CREATE ROLE app_owner LOGIN");
    });

    it("creates the SGCluster only after the StackGres operator is ready and the admin Secret is synced", () => {
        const sg = one(SG_CLUSTER, "keycloak-postgresql-cluster");
        for (const name of ["stackgres-subscription", "stackgres-wait", "vault-static-secret"]) {
            expect(dependsOnTransitively(sg, one(CONFIG_MAP, name)), name).toBe(true);
        }
        expect(dependsOnTransitively(sg, one("kubernetes:core/v1:Namespace", "ns-rhbk"))).toBe(true);
        // Other operators are not its business.
        expect(dependsOnTransitively(sg, one(CONFIG_MAP, "vso-ready"))).toBe(false);
    });

    it("hands on the primary Service, port 5432, the database, and the SGCluster and its SQL gate as ready", async () => {
        expect(part.host).toBe("keycloak-postgresql.rhbk.svc.cluster.local");
        expect(part.port).toBe(5432);
        expect(part.database).toBe("postgres");
        expect(await Promise.all(part.ready.map((r) => valueOf(r.urn)))).toEqual([
            one(SG_CLUSTER, "keycloak-postgresql-cluster").urn,
            one("kubernetes:batch/v1:Job", "keycloak-postgresql-sql-gate-job").urn,
        ]);
    });

    it("declares nothing for an existing database and points at the configured host", () => {
        expect(registeredAfterExisting).toBe(registeredBeforeExisting);
        expect(existingPart).toEqual({ host: "pg.example.com", port: 6432, database: "appdb", ready: [] });
    });

    it("buildDatabase refuses an existing-database config (existingDatabase answers that mode, alone)", () => {
        expect(() => build(existingConfig, { ...deps, namespaces: {}, adminSecretSync: [], managedRoles: ["app_owner"] })).toThrow(
            /database.mode 'existing' uses existingDatabase/,
        );
    });

    it("refuses StackGres mode without the StackGres operator", async () => {
        const { parseStackConfig } = await import("../../../stacks/config");
        const config = parseStackConfig("t", { platform: "openshift", vault: { address: "https://vault.apps.example.com" } });
        expect(() =>
            build(config, { ...deps, namespaces: {}, operators: { ...deps.operators, stackgres: [] }, adminSecretSync: [], managedRoles: [] }),
        ).toThrow(/needs the StackGres operator/);
    });
});
