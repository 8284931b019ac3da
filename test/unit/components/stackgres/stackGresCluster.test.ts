/**
 * The StackGresCluster component under the mock engine: exact children, credentials from the
 * synced Secret, the admin-role SQL kept secret, and the ordering edges.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import type * as k8sTypes from "@pulumi/kubernetes";
import { dependsOnTransitively, one, parentOf, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";
import { STACKGRES_SECRET_KEYS } from "../../../support/types";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const PASSWORD = "test-only-vault-admin-password-0123456789";

const T = {
    component: "vaultkit:index:StackGresCluster",
    profile: "kubernetes:stackgres.io/v1:SGInstanceProfile",
    pgConfig: "kubernetes:stackgres.io/v1:SGPostgresConfig",
    script: "kubernetes:stackgres.io/v1:SGScript",
    cluster: "kubernetes:stackgres.io/v1:SGCluster",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    job: "kubernetes:batch/v1:Job",
};

/** What the engine received, before the mock monitor unwraps secrets. */
const raw = new Map<string, { object: any; replaceOnChanges: string[] }>();

let cluster: import("../../../../components/stackgres/stackGresCluster").StackGresCluster;
let specs: typeof import("../../../../components/stackgres/clusterSpecs");
let sql: typeof import("../../../../components/stackgres/sql");

function isSecretWrapped(v: any): boolean {
    return v !== null && typeof v === "object" && v[SECRET_SIG] === SECRET_SIG_VALUE;
}

describe("StackGresCluster", () => {
    beforeAll(async () => {
        await setupMocks();
        const monitor = (pulumi.runtime as any).getMonitor();
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: any) => {
            raw.set(`${req.getType()}::${req.getName()}`, { object: req.getObject()?.toJavaScript(), replaceOnChanges: req.getReplaceonchangesList() });
            return register(req, callback);
        };
        const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
        const { StackGresCluster } = await import("../../../../components/stackgres/stackGresCluster");
        specs = await import("../../../../components/stackgres/clusterSpecs");
        sql = await import("../../../../components/stackgres/sql");
        const provider = new k8s.Provider("kubernetes", {});
        const gate = new k8s.core.v1.ConfigMap("gate", { metadata: { namespace: "rhbk" } }, { provider });
        cluster = new StackGresCluster(
            "keycloak-postgresql",
            {
                namespace: "rhbk",
                credentialsSecretName: "keycloak-postgresql-vault",
                vaultAdminRole: "vault_admin",
                vaultAdminPassword: pulumi.secret(PASSWORD),
                managedRoles: ["app"],
                storageClass: "standard",
            },
            { providers: { kubernetes: provider }, dependsOn: [gate] },
        );
        // A caller that forgets to mark the password secret still gets it stored as a secret.
        new StackGresCluster(
            "plain",
            { namespace: "rhbk", credentialsSecretName: "plain-vault", vaultAdminRole: "vault_admin", vaultAdminPassword: PASSWORD, managedRoles: [], openshift: true },
            { providers: { kubernetes: provider } },
        );
        await settle();
    });

    it("declares exactly a profile, a Postgres config, the SQL Secret, the SGScript, the SGCluster and the SQL gate", () => {
        const children = registrations.filter((r) => parentOf(r) === `${T.component}::keycloak-postgresql`);
        expect(children.map((r) => `${r.type}::${r.name}`).sort()).toEqual(
            [
                `${T.profile}::keycloak-postgresql-profile`,
                `${T.pgConfig}::keycloak-postgresql-pgconfig`,
                `${T.secret}::keycloak-postgresql-vault-admin-sql`,
                `${T.script}::keycloak-postgresql-roles`,
                `${T.cluster}::keycloak-postgresql-cluster`,
                `${T.serviceAccount}::keycloak-postgresql-sql-gate-sa`,
                `${T.role}::keycloak-postgresql-sql-gate-role`,
                `${T.roleBinding}::keycloak-postgresql-sql-gate-rolebinding`,
                `${T.job}::keycloak-postgresql-sql-gate-job`,
            ].sort(),
        );
        for (const c of children) {
            expect(c.inputs.metadata.namespace).toBe("rhbk");
            expect(c.provider).toMatch(/::pulumi:providers:kubernetes::kubernetes::/);
        }
        expect(one(T.profile, "keycloak-postgresql-profile").inputs).toMatchObject({ apiVersion: "stackgres.io/v1", kind: "SGInstanceProfile", metadata: { name: "keycloak-postgresql-profile" }, spec: { cpu: "1", memory: "2Gi" } });
        expect(one(T.pgConfig, "keycloak-postgresql-pgconfig").inputs).toMatchObject({ kind: "SGPostgresConfig", metadata: { name: "keycloak-postgresql-pgconfig" }, spec: { postgresVersion: "15" } });
        expect(one(T.script, "keycloak-postgresql-roles").inputs.metadata.name).toBe("keycloak-postgresql-vault-roles");
    });

    it("names the SGCluster exactly and points it at its profile, config, script and the synced Secret", () => {
        const sg = one(T.cluster, "keycloak-postgresql-cluster");
        expect(sg.inputs.apiVersion).toBe("stackgres.io/v1");
        expect(sg.inputs.kind).toBe("SGCluster");
        expect(sg.inputs.metadata.name).toBe("keycloak-postgresql");
        expect(sg.autonamed).toBe(false);
        // Every reference is the name the referenced object was registered with.
        const { credentials, ...configurations } = sg.inputs.spec.configurations;
        expect({ ...sg.inputs.spec, configurations }).toEqual({
            instances: 1,
            postgres: { version: "15" },
            sgInstanceProfile: one(T.profile, "keycloak-postgresql-profile").inputs.metadata.name,
            pods: { persistentVolume: { size: "5Gi", storageClass: "standard" } },
            configurations: { sgPostgresConfig: one(T.pgConfig, "keycloak-postgresql-pgconfig").inputs.metadata.name },
            managedSql: { scripts: [{ id: 1, sgScript: one(T.script, "keycloak-postgresql-roles").inputs.metadata.name }] },
        });
        expect(credentials).toBeDefined();
    });

    it("takes every credential from exactly the seven keys of the synced Secret", () => {
        const refs: { name: string; key: string }[] = [];
        const collect = (o: any) => {
            if (o && typeof o === "object") {
                if (typeof o.name === "string" && typeof o.key === "string") refs.push(o);
                else Object.values(o).forEach(collect);
            }
        };
        collect(one(T.cluster, "keycloak-postgresql-cluster").inputs.spec.configurations.credentials);
        expect(new Set(refs.map((r) => r.name))).toEqual(new Set(["keycloak-postgresql-vault"]));
        expect(refs.map((r) => r.key).sort()).toEqual(STACKGRES_SECRET_KEYS);
    });

    it("awaits the primary on the SGCluster, then every script entry at its version in the gate Job, which a changed script replaces", async () => {
        const entries = one(T.script, "keycloak-postgresql-roles").inputs.spec.scripts.map((e: any) => ({ id: e.id, version: e.version }));
        expect(entries.map((e: any) => e.id)).toEqual([0, 1, 2]);
        const annotations = one(T.cluster, "keycloak-postgresql-cluster").inputs.metadata.annotations;
        expect(annotations).toEqual({ "pulumi.com/waitFor": specs.sgClusterWaitFor(), "pulumi.com/timeoutSeconds": "1800" });
        const job = one(T.job, "keycloak-postgresql-sql-gate-job");
        const { managedSqlGateScript } = await import("../../../../components/stackgres/managedSqlGate");
        const container = job.inputs.spec.template.spec.containers[0];
        // The script embeds the versions: a changed SGScript changes the pod template, which replaces the (autonamed) Job.
        expect(container.command).toEqual(["/bin/sh", "-c", managedSqlGateScript({ namespace: "rhbk", clusterName: "keycloak-postgresql", entries, timeoutSeconds: 900 })]);
        // The provider names the Job: `<resource name>-<8 hex>`, a new name on each replacement.
        expect(job.autonamed).toBe(true);
        expect(job.inputs.metadata.name).toMatch(/^keycloak-postgresql-sql-gate-job-[0-9a-f]{8}$/);
        expect(container.image).toBe("registry.k8s.io/kubectl:v1.31.0");
        expect(job.inputs.spec.template.spec.securityContext).toMatchObject({ runAsUser: 65532 });
        expect(container.terminationMessagePolicy).toBe("FallbackToLogsOnError");
        expect(job.inputs.spec.backoffLimit).toBe(1);
        expect(dependsOnTransitively(job, one(T.cluster, "keycloak-postgresql-cluster"))).toBe(true);
        expect(one(T.role, "keycloak-postgresql-sql-gate-role").inputs.rules).toEqual([{ apiGroups: ["stackgres.io"], resources: ["sgclusters"], resourceNames: ["keycloak-postgresql"], verbs: ["get"] }]);
        // The Job runs as its own ServiceAccount, which its RoleBinding binds to its Role: all autonamed.
        const sa = one(T.serviceAccount, "keycloak-postgresql-sql-gate-sa");
        const role = one(T.role, "keycloak-postgresql-sql-gate-role");
        const binding = one(T.roleBinding, "keycloak-postgresql-sql-gate-rolebinding");
        expect([sa, role, binding].map((r) => r.autonamed)).toEqual([true, true, true]);
        expect(new Set([sa, role, binding, job].map((r) => r.inputs.metadata.name)).size).toBe(4);
        expect(job.inputs.spec.template.spec.serviceAccountName).toBe(sa.inputs.metadata.name);
        expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.inputs.metadata.name });
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: sa.inputs.metadata.name, namespace: "rhbk" }]);
        expect(dependsOnTransitively(job, binding)).toBe(true);
        // OpenShift: the SCC assigns the UID, and the image is ose-cli.
        const osJob = one(T.job, "plain-sql-gate-job");
        expect(osJob.inputs.spec.template.spec.securityContext.runAsUser).toBeUndefined();
        expect(osJob.inputs.spec.template.spec.containers[0].image).toBe("registry.redhat.io/openshift4/ose-cli:v4.15");
    });

    it("keeps the admin-role SQL (it holds the password) in a Secret sent as a secret, replaced on change", () => {
        const secret = one(T.secret, "keycloak-postgresql-vault-admin-sql");
        // Autonamed: a replacement gets a new name, which changes the script entry's version.
        expect(secret.autonamed).toBe(true);
        expect(secret.inputs.metadata.name).toMatch(/^keycloak-postgresql-vault-admin-sql-[0-9a-f]{8}$/);
        const sent = raw.get(`${T.secret}::keycloak-postgresql-vault-admin-sql`)!;
        expect(isSecretWrapped(sent.object.stringData)).toBe(true);
        expect(sent.replaceOnChanges).toEqual(["stringData"]);
        // The mock engine unwraps secrets: compare without printing.
        expect(secret.inputs.stringData["vault-admin-role.sql"] === sql.vaultAdminRoleSql("vault_admin", PASSWORD)).toBe(true);
        // The password reaches no other object.
        for (const r of registrations.filter((x) => x.type !== T.secret && x.type !== T.component)) {
            expect(JSON.stringify(r.inputs).includes(PASSWORD), `${r.type}::${r.name}`).toBe(false);
        }
        const script = one(T.script, "keycloak-postgresql-roles").inputs.spec;
        // StackGres reads the SQL from the Secret under the name the provider gave it.
        expect(script.scripts[0]).toMatchObject({ name: "vault-admin-role", scriptFrom: { secretKeyRef: { name: secret.inputs.metadata.name, key: "vault-admin-role.sql" } } });
        expect(script.scripts[0].version).toBe(specs.scriptEntryVersion(`secret:${secret.inputs.metadata.name}/vault-admin-role.sql`));
        expect(one(T.script, "plain-roles").inputs.spec.scripts[0].scriptFrom.secretKeyRef.name).toBe(one(T.secret, "plain-vault-admin-sql").inputs.metadata.name);
        expect(script.scripts[1]).toMatchObject({ name: "app-role-app", script: sql.appRoleSql("app") });
        expect(script.scripts[2]).toMatchObject({ name: "grant-managed-roles", script: sql.grantManagedRolesSql("vault_admin", ["app"]) });
    });

    it("stores the component's password input as a secret even when given a plain string", () => {
        for (const name of ["keycloak-postgresql", "plain"]) {
            expect(isSecretWrapped(raw.get(`${T.component}::${name}`)!.object.vaultAdminPassword), name).toBe(true);
        }
        expect(isSecretWrapped(raw.get(`${T.secret}::plain-vault-admin-sql`)!.object.stringData)).toBe(true);
        // No managed roles: only the admin role entry.
        expect(one(T.script, "plain-roles").inputs.spec.scripts.map((e: any) => e.name)).toEqual(["vault-admin-role"]);
    });

    it("orders creation: Secret before SGScript, and profile, config and script before the SGCluster", () => {
        const sg = one(T.cluster, "keycloak-postgresql-cluster");
        const script = one(T.script, "keycloak-postgresql-roles");
        const secret = one(T.secret, "keycloak-postgresql-vault-admin-sql");
        expect(dependsOnTransitively(script, secret)).toBe(true);
        for (const dep of [one(T.profile, "keycloak-postgresql-profile"), one(T.pgConfig, "keycloak-postgresql-pgconfig"), script]) {
            expect(dependsOnTransitively(sg, dep), dep.name).toBe(true);
        }
    });

    it("passes the component's dependsOn down to every child (children do not inherit it)", () => {
        const gate = one(T.configMap, "gate");
        for (const r of registrations.filter((x) => parentOf(x) === `${T.component}::keycloak-postgresql`)) {
            expect(r.dependencies, `${r.type}::${r.name}`).toContain(gate.urn);
        }
        expect(dependsOnTransitively(one(T.cluster, "plain-cluster"), gate)).toBe(false);
    });

    it("exposes the primary Service host, the port, and the SGCluster and the SQL gate as ready", async () => {
        expect(await valueOf(cluster.primaryHost)).toBe("keycloak-postgresql.rhbk.svc.cluster.local");
        expect(await valueOf(cluster.port)).toBe(5432);
        expect(await valueOf(cluster.clusterName)).toBe("keycloak-postgresql");
        const readyUrns = await Promise.all(cluster.ready.map((r) => valueOf(r.urn)));
        expect(readyUrns).toEqual([one(T.cluster, "keycloak-postgresql-cluster").urn, one(T.job, "keycloak-postgresql-sql-gate-job").urn]);
    });

    it("refuses a credentials Secret named like the cluster, and invalid role names", async () => {
        const { StackGresCluster } = await import("../../../../components/stackgres/stackGresCluster");
        const base = { namespace: "rhbk", credentialsSecretName: "x-vault", vaultAdminRole: "vault_admin", vaultAdminPassword: "p".repeat(20), managedRoles: [] as string[] };
        expect(() => new StackGresCluster("x1", { ...base, credentialsSecretName: "x1" })).toThrow(/must differ from the cluster name/);
        expect(() => new StackGresCluster("x2", { ...base, vaultAdminRole: "Admin" })).toThrow(/role name/);
        expect(() => new StackGresCluster("x3", { ...base, managedRoles: ["pg_app"] })).toThrow(/pg_/);
        expect(() => new StackGresCluster("Bad_Name", base)).toThrow(/DNS label/);
        await settle();
        // Invalid input fails before anything is registered.
        expect(registrations.filter((r) => ["x1", "x2", "x3", "Bad_Name"].includes(r.name))).toEqual([]);
    });
});
