/**
 * Pure StackGres data: SGCluster credentials, SGScript entries, the wait condition (evaluated the
 * way the kubernetes provider evaluates `pulumi.com/waitFor`, with an RFC 9535 JSONPath engine),
 * the managed SQL gate's script and RBAC (its behaviour against a real API server:
 * test/kube/stackgres-sql-gate.test.ts), and validation against the pinned StackGres CRDs.
 */
import Ajv from "ajv";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SHARED_DIR, sharedAvailable } from "../../../support/shared";
import { query } from "jsonpath-rfc9535";
import { describe, expect, it } from "vitest";
import {
    CREDENTIAL_KEYS,
    MANAGED_SQL_SCRIPT_ID,
    assertClusterName,
    credentialsFromSecret,
    instanceProfileSpec,
    postgresConfigSpec,
    postgresMajor,
    rolesScriptSpec,
    scriptEntryVersion,
    sgClusterSpec,
    sgClusterWaitFor,
    stackGresPrimaryHost,
} from "../../../../components/stackgres/clusterSpecs";
import { managedSqlGateRules, managedSqlGateScript } from "../../../../components/stackgres/managedSqlGate";
import { appRoleSql, grantManagedRolesSql } from "../../../../components/stackgres/sql";
import { STACKGRES_SECRET_KEYS } from "../../../support/types";

/** Upstream CRDs and chart values (test/support/shared.ts: fails in CI when missing, never skips there). */
const SHARED = SHARED_DIR;
const haveShared = sharedAvailable();

const clusterInput = {
    instances: 1,
    postgresVersion: "15",
    volumeSize: "5Gi",
    instanceProfileName: "keycloak-postgresql-profile",
    postgresConfigName: "keycloak-postgresql-pgconfig",
    scriptName: "keycloak-postgresql-vault-roles",
    credentialsSecretName: "keycloak-postgresql-vault",
};

const rolesInput = { vaultAdminRole: "vault_admin", managedRoles: ["app", "billing_app"], adminSqlSecret: { name: "kp-vault-admin-sql-1a2b3c4d", key: "vault-admin-role.sql" } };

/**
 * `pulumi.com/waitFor` semantics (pulumi-kubernetes provider/pkg/jsonpath): `jsonpath={path}[=value]`;
 * the first selected value must exist (and equal `value` when given); a JSON array means all.
 */
function waitForSatisfied(annotation: string, object: unknown): boolean {
    const exprs: string[] = annotation.startsWith("[") ? JSON.parse(annotation) : [annotation];
    return exprs.every((expr) => {
        const m = /^jsonpath=\{(.*)\}(?:=(.+))?$/.exec(expr);
        if (!m) throw new Error(`not a jsonpath condition: ${expr}`);
        const results = query(object as any, `$${m[1]}`);
        if (results.length === 0) return false;
        return m[2] === undefined || String(results[0]) === m[2];
    });
}

describe("SGCluster data", () => {
    it("references all seven StackGres credentials in the synced Secret, by StackGres' own key names", () => {
        expect(Object.values(CREDENTIAL_KEYS).sort()).toEqual(STACKGRES_SECRET_KEYS);
        const s = "keycloak-postgresql-vault";
        expect(credentialsFromSecret(s)).toEqual({
            patroni: { restApiPassword: { name: s, key: "restapi-password" } },
            users: {
                superuser: { username: { name: s, key: "superuser-username" }, password: { name: s, key: "superuser-password" } },
                replication: { username: { name: s, key: "replication-username" }, password: { name: s, key: "replication-password" } },
                authenticator: { username: { name: s, key: "authenticator-username" }, password: { name: s, key: "authenticator-password" } },
            },
        });
    });

    it("builds the cluster spec with its profile, config, credentials and our SGScript", () => {
        expect(sgClusterSpec(clusterInput)).toEqual({
            instances: 1,
            postgres: { version: "15" },
            sgInstanceProfile: "keycloak-postgresql-profile",
            pods: { persistentVolume: { size: "5Gi" } },
            configurations: { sgPostgresConfig: "keycloak-postgresql-pgconfig", credentials: credentialsFromSecret("keycloak-postgresql-vault") },
            managedSql: { scripts: [{ id: MANAGED_SQL_SCRIPT_ID, sgScript: "keycloak-postgresql-vault-roles" }] },
        });
        expect((sgClusterSpec({ ...clusterInput, storageClass: "gp3-csi" }) as any).pods.persistentVolume).toEqual({ size: "5Gi", storageClass: "gp3-csi" });
        expect(() => sgClusterSpec({ ...clusterInput, instances: 0 })).toThrow(/instances/);
        expect(() => sgClusterSpec({ ...clusterInput, postgresVersion: "fifteen" })).toThrow(/postgres version/);
    });

    it("derives the primary host, the Postgres major and validates cluster names", () => {
        expect(stackGresPrimaryHost("keycloak-postgresql", "rhbk")).toBe("keycloak-postgresql.rhbk.svc.cluster.local");
        expect(postgresMajor("15")).toBe("15");
        expect(postgresMajor("15.6")).toBe("15");
        expect(postgresConfigSpec("15.6")).toEqual({ postgresVersion: "15", "postgresql.conf": { password_encryption: "scram-sha-256", log_connections: "on" } });
        expect(instanceProfileSpec("1", "2Gi")).toEqual({ cpu: "1", memory: "2Gi" });
        expect(() => assertClusterName("Keycloak")).toThrow(/DNS label/);
        expect(() => assertClusterName("a".repeat(54))).toThrow(/53/);
        expect(() => assertClusterName("keycloak-postgresql")).not.toThrow();
    });
});

describe("the roles SGScript", () => {
    it("creates the Vault admin role from the Secret, then each app role, then the grants", () => {
        const spec = rolesScriptSpec(rolesInput);
        expect(spec.managedVersions).toBe(false);
        expect(spec.continueOnError).toBe(false);
        expect(spec.scripts.map((e) => [e.id, e.name])).toEqual([
            [0, "vault-admin-role"],
            [1, "app-role-app"],
            [2, "app-role-billing-app"],
            [3, "grant-managed-roles"],
        ]);
        const [admin, app, billing, grants] = spec.scripts;
        expect(admin!.scriptFrom).toEqual({ secretKeyRef: { name: "kp-vault-admin-sql-1a2b3c4d", key: "vault-admin-role.sql" } });
        expect(admin!.script).toBeUndefined();
        expect(app!.script).toBe(appRoleSql("app"));
        expect(billing!.script).toBe(appRoleSql("billing_app"));
        expect(grants!.script).toBe(grantManagedRolesSql("vault_admin", ["app", "billing_app"]));
        for (const e of spec.scripts) {
            expect(e.wrapInTransaction).toBe("read-committed");
            expect(e.retryOnError).toBe(true);
            expect(Number.isInteger(e.version) && e.version > 0 && e.version <= 0x7fffffff).toBe(true);
        }
        // No password ever appears in the SGScript itself.
        expect(JSON.stringify(spec)).not.toMatch(/PASSWORD/i);
    });

    it("changes an entry's version exactly when its content changes", () => {
        const a = rolesScriptSpec(rolesInput).scripts;
        const b = rolesScriptSpec({ ...rolesInput, adminSqlSecret: { ...rolesInput.adminSqlSecret, name: "kp-vault-admin-sql-9z8y7x6w" } }).scripts;
        expect(b[0]!.version).not.toBe(a[0]!.version);
        expect(b.slice(1).map((e) => e.version)).toEqual(a.slice(1).map((e) => e.version));
        expect(scriptEntryVersion("x")).toBe(scriptEntryVersion("x"));
        expect(scriptEntryVersion("x")).not.toBe(scriptEntryVersion("y"));
    });

    it("with no managed roles creates only the admin role; refuses bad or clashing names; ignores duplicates", () => {
        expect(rolesScriptSpec({ ...rolesInput, managedRoles: [] }).scripts.map((e) => e.name)).toEqual(["vault-admin-role"]);
        expect(rolesScriptSpec({ ...rolesInput, managedRoles: ["app", "app"] }).scripts.map((e) => e.name)).toEqual(["vault-admin-role", "app-role-app", "grant-managed-roles"]);
        expect(() => rolesScriptSpec({ ...rolesInput, managedRoles: ["vault_admin"] })).toThrow(/cannot also be a managed/);
        expect(() => rolesScriptSpec({ ...rolesInput, adminSqlSecret: { name: "", key: "vault-admin-role.sql" } })).toThrow(/admin-role SQL Secret needs a name and a key \(got name '', key 'vault-admin-role.sql'\)/);
        expect(() => rolesScriptSpec({ ...rolesInput, managedRoles: ["app; DROP TABLE x"] })).toThrow(/role name/);
        expect(() => rolesScriptSpec({ ...rolesInput, vaultAdminRole: "Vault" })).toThrow(/role name/);
    });
});

describe("the SGCluster wait condition", () => {
    const annotation = sgClusterWaitFor();

    it("holds once StackGres reports a primary pod, and not before", () => {
        expect(waitForSatisfied(annotation, { status: { podStatuses: [{ name: "keycloak-postgresql-0", primary: true }] } })).toBe(true);
        expect(waitForSatisfied(annotation, {})).toBe(false);
        expect(waitForSatisfied(annotation, { status: { podStatuses: [{ name: "keycloak-postgresql-0", primary: false }] } })).toBe(false);
    });

    it("leaves the script entries to the gate Job, which can fail fast (a waitFor cannot)", () => {
        expect(annotation).not.toContain("managedSql");
    });
});

describe("the managed SQL gate script", () => {
    const entries = rolesScriptSpec(rolesInput).scripts.map((e) => ({ id: e.id, version: e.version }));
    const spec = { namespace: "rhbk", clusterName: "keycloak-postgresql", entries, timeoutSeconds: 900 };

    it("reads our SGScript's entry statuses from the one SGCluster, with StackGres's fields", () => {
        const script = managedSqlGateScript(spec);
        expect(script.startsWith("set -euf\n")).toBe(true);
        expect(script).toContain(
            `kubectl get sgclusters.stackgres.io keycloak-postgresql -n rhbk -o jsonpath='{range .status.managedSql.scripts[?(@.id==${MANAGED_SQL_SCRIPT_ID})].scripts[*]}{.id}{"|"}{.version}{"|"}{.intents}{"|"}{.failureCode}{"\\n"}{end}'`,
        );
        expect(script).toContain(`expected='${entries.map((e) => `${e.id} ${e.version}`).join("\n")}'`);
        expect(spawnSync("sh", ["-n", "-c", script]).status).toBe(0);
    });

    it("needs only GET on that SGCluster", () => {
        expect(managedSqlGateRules("keycloak-postgresql")).toEqual({
            namespaced: [{ apiGroups: ["stackgres.io"], resources: ["sgclusters"], resourceNames: ["keycloak-postgresql"], verbs: ["get"] }],
            cluster: [],
        });
    });

    it("refuses what it cannot splice safely", () => {
        expect(() => managedSqlGateScript({ ...spec, namespace: "Rh bk" })).toThrow(/namespace/);
        expect(() => managedSqlGateScript({ ...spec, clusterName: "x;id" })).toThrow(/SGCluster name/);
        expect(() => managedSqlGateScript({ ...spec, entries: [] })).toThrow(/no script entries/);
        expect(() => managedSqlGateScript({ ...spec, entries: [{ id: 0, version: 1.5 }] })).toThrow(/whole numbers/);
        expect(() => managedSqlGateScript({ ...spec, timeoutSeconds: 10 })).toThrow(/timeoutSeconds/);
    });
});

describe.skipIf(!haveShared)("StackGres objects against the pinned CRDs", () => {
    const validator = (version: string, kind: string) => {
        const crd = YAML.parse(fs.readFileSync(path.join(SHARED, "crds/stackgres", version, `${kind}.yaml`), "utf8"));
        const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, unicodeRegExp: false });
        return ajv.compile(crd.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema);
    };
    const object = (kind: string, spec: unknown) => ({ apiVersion: "stackgres.io/v1", kind, metadata: { name: "x", namespace: "rhbk" }, spec });

    for (const version of ["1.18.6", "1.10.0"]) {
        it(`SGCluster, SGScript, SGInstanceProfile and SGPostgresConfig are valid for StackGres ${version}`, () => {
            const cases: [string, unknown][] = [
                ["SGCluster", sgClusterSpec({ ...clusterInput, storageClass: "standard" })],
                ["SGScript", rolesScriptSpec(rolesInput)],
                ["SGInstanceProfile", instanceProfileSpec("1", "2Gi")],
                ["SGPostgresConfig", postgresConfigSpec("15")],
            ];
            for (const [kind, spec] of cases) {
                const v = validator(version, kind);
                expect(v(object(kind, spec)), `${kind}: ${JSON.stringify(v.errors)}`).toBe(true);
            }
            // And the validator catches a cluster without its required volume size.
            const broken = sgClusterSpec(clusterInput) as any;
            delete broken.pods.persistentVolume.size;
            expect(validator(version, "SGCluster")(object("SGCluster", broken))).toBe(false);
        });
    }
});
