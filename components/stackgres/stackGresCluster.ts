/**
 * A StackGres PostgreSQL cluster whose credentials all come from the Secret the Vault Secrets
 * Operator syncs from KV, and whose Vault admin and application roles are created declaratively
 * (SGScript through `spec.managedSql`). Pulumi holds until the primary runs and the roles exist,
 * because Vault's database connection is verified on write and a static role rotates at once.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { derivedInput } from "../inputs";
import {
    DEFAULT_CLUSTER_TIMEOUT_SECONDS,
    POSTGRES_PORT,
    VAULT_ADMIN_SQL_KEY,
    assertClusterName,
    instanceProfileSpec,
    postgresConfigSpec,
    rolesScriptSpec,
    sgClusterSpec,
    sgClusterWaitFor,
    stackGresPrimaryHost,
} from "./clusterSpecs";
import { DEFAULT_MANAGED_SQL_WAIT_SECONDS, managedSqlGateRules, managedSqlGateScript } from "./managedSqlGate";
import { assertRoleName, vaultAdminRoleSql } from "./sql";
import { KUBECTL_JOB_UID, declareKubectlJob } from "../kubernetes/kubectlJob";
import { standardLabels } from "../kubernetes/labels";
import { PINNED } from "../versions";

/**
 * Arguments of {@link StackGresCluster}. What names objects, RBAC and SQL (the cluster name, the roles)
 * or decides what is declared stays plain and is checked before anything registers; settings another
 * program may compute are `pulumi.Input`s, checked now when plain and when known otherwise.
 */
export interface StackGresClusterArgs {
    /** Namespace of the cluster. Must exist. */
    namespace: pulumi.Input<string>;
    /** SGCluster name (also the prefix of its Services, e.g. `<name>-primary`). Defaults to the component name. */
    clusterName?: string;
    /** Number of Postgres instances. Defaults to 1. */
    instances?: pulumi.Input<number>;
    /** PostgreSQL version, major (`15`) or major.minor (`15.6`). Defaults to `15`. */
    postgresVersion?: pulumi.Input<string>;
    /** Data volume size per instance, e.g. `5Gi`. Defaults to `5Gi`. */
    volumeSize?: pulumi.Input<string>;
    /** StorageClass of the data volumes; the cluster default when unset. */
    storageClass?: pulumi.Input<string>;
    /** CPU of each Postgres instance (SGInstanceProfile). Defaults to `1`. */
    cpu?: pulumi.Input<string>;
    /** Memory of each Postgres instance (SGInstanceProfile). Defaults to `2Gi`. */
    memory?: pulumi.Input<string>;
    /**
     * The Secret (synced from KV by the Vault Secrets Operator) holding superuser-, replication- and
     * authenticator-username/password and restapi-password. Must differ from the cluster name.
     */
    credentialsSecretName: pulumi.Input<string>;
    /** PostgreSQL role Vault's database connection logs in as (CREATEROLE, never superuser). */
    vaultAdminRole: string;
    /** Password of the Vault admin role (secret). */
    vaultAdminPassword: pulumi.Input<string>;
    /**
     * Vault rotates the admin role's password (`rotate-root`): the script then sets the password
     * only when it creates the role, so a re-run never puts the old one back. Default false.
     */
    vaultRotatesAdminPassword?: boolean;
    /** Application roles Vault static roles will manage; created LOGIN without a password. */
    managedRoles: string[];
    /** How long Pulumi waits for the cluster's primary. Defaults to 1800 s. */
    timeoutSeconds?: number;
    /** How long the gate Job then waits for StackGres to apply the SGScript entries. Defaults to 900 s. */
    scriptsTimeoutSeconds?: number;
    /**
     * OpenShift: the gate Job runs without a fixed UID (the SCC assigns one) and defaults to the
     * `ose-cli` image; otherwise UID 65532 and the upstream kubectl image. Default false.
     */
    openshift?: boolean;
    /** Pinned image with `sh` and `kubectl` for the gate Job; default per platform (components/versions.ts). */
    kubectlImage?: string;
}

/**
 * SGInstanceProfile, SGPostgresConfig, a Secret with the Vault admin role SQL, the SGScript and the
 * SGCluster. `ready` opens once the primary runs and every script entry has been applied.
 */
export class StackGresCluster extends pulumi.ComponentResource {
    /** The SGCluster custom resource. */
    /** The SGCluster name. */
    public readonly clusterName: pulumi.Output<string>;
    /** In-cluster host of the primary (read-write) Service. */
    public readonly primaryHost: pulumi.Output<string>;
    /** PostgreSQL port. */
    public readonly port: pulumi.Output<number>;
    /** What must exist before Vault connects: the SGCluster (primary up) and the gate Job (every SGScript entry applied). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: StackGresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything.
        const clusterName = args.clusterName ?? name;
        assertClusterName(clusterName);
        assertRoleName(args.vaultAdminRole);
        args.managedRoles.forEach(assertRoleName);
        const postgresVersion = args.postgresVersion ?? "15";
        const clusterSpec = derivedInput(
            {
                instances: args.instances ?? 1,
                postgresVersion,
                volumeSize: args.volumeSize ?? "5Gi",
                storageClass: args.storageClass,
                credentialsSecretName: args.credentialsSecretName,
            },
            (s) => {
                if (s.credentialsSecretName === clusterName) {
                    throw new Error(`credentialsSecretName must differ from the cluster name '${clusterName}': StackGres creates and owns a Secret of that name`);
                }
                return sgClusterSpec({
                    ...s,
                    instanceProfileName: `${clusterName}-profile`,
                    postgresConfigName: `${clusterName}-pgconfig`,
                    scriptName: `${clusterName}-vault-roles`,
                });
            },
        );
        const pgConfigSpec = derivedInput(postgresVersion, postgresConfigSpec);
        // Component inputs are saved in state: keep the password secret even if a plain string came in.
        super("vaultkit:index:StackGresCluster", name, { ...args, vaultAdminPassword: pulumi.secret(args.vaultAdminPassword) }, opts);
        const namespace = args.namespace;
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_CLUSTER_TIMEOUT_SECONDS;
        const labels = standardLabels({ instance: clusterName });
        const deps = childDependsOn(opts);

        const profile = new k8s.apiextensions.CustomResource(
            `${name}-profile`,
            {
                apiVersion: "stackgres.io/v1",
                kind: "SGInstanceProfile",
                metadata: { name: `${clusterName}-profile`, namespace, labels },
                spec: derivedInput({ cpu: args.cpu ?? "1", memory: args.memory ?? "2Gi" }, (r) => instanceProfileSpec(r.cpu, r.memory)),
            },
            { parent: this, dependsOn: deps },
        );
        const pgConfig = new k8s.apiextensions.CustomResource(
            `${name}-pgconfig`,
            {
                apiVersion: "stackgres.io/v1",
                kind: "SGPostgresConfig",
                metadata: { name: `${clusterName}-pgconfig`, namespace, labels },
                spec: pgConfigSpec,
            },
            { parent: this, dependsOn: deps },
        );

        // The admin role SQL embeds its password, so it lives in a Secret, never in the SGScript.
        // Autonamed and replaced when the SQL changes: the new name changes the script entry's
        // version, which makes StackGres run it again with the new password.
        const adminRole = args.vaultAdminRole;
        const adminSql = new k8s.core.v1.Secret(
            `${name}-vault-admin-sql`,
            {
                metadata: { namespace, labels },
                type: "Opaque",
                stringData: {
                    [VAULT_ADMIN_SQL_KEY]: pulumi.secret(pulumi.output(args.vaultAdminPassword).apply((pw) => vaultAdminRoleSql(adminRole, pw, args.vaultRotatesAdminPassword ? "vault" : "pulumi"))),
                },
            },
            { parent: this, dependsOn: deps, replaceOnChanges: ["stringData"], deleteBeforeReplace: false },
        );

        const scriptSpec = adminSql.metadata.name.apply((secretName) =>
            rolesScriptSpec({
                vaultAdminRole: adminRole,
                managedRoles: args.managedRoles,
                adminSqlSecret: { name: secretName, key: VAULT_ADMIN_SQL_KEY },
            }),
        );
        const script = new k8s.apiextensions.CustomResource(
            `${name}-roles`,
            {
                apiVersion: "stackgres.io/v1",
                kind: "SGScript",
                metadata: { name: `${clusterName}-vault-roles`, namespace, labels },
                spec: scriptSpec,
            },
            { parent: this, dependsOn: childDependsOn(opts, adminSql) },
        );

        const entries = scriptSpec.apply((s) => s.scripts.map((e) => ({ id: e.id, version: e.version })));
        const sgCluster = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: "stackgres.io/v1",
                kind: "SGCluster",
                metadata: {
                    name: clusterName,
                    namespace,
                    labels,
                    annotations: {
                        "pulumi.com/waitFor": sgClusterWaitFor(),
                        "pulumi.com/timeoutSeconds": String(timeoutSeconds),
                    },
                },
                spec: clusterSpec,
            },
            // StackGres' webhooks reject a cluster whose referenced objects do not exist yet.
            { parent: this, dependsOn: childDependsOn(opts, profile, pgConfig, script) },
        );

        // The scripts' gate: StackGres's own "applied", and StackGres's own message on a failure.
        // The script embeds the entries' versions, so a changed SGScript replaces the Job.
        const scriptsTimeout = args.scriptsTimeoutSeconds ?? DEFAULT_MANAGED_SQL_WAIT_SECONDS;
        const gate = pulumi.all([entries, namespace]).apply(([e, ns]) => managedSqlGateScript({ namespace: ns, clusterName, entries: e, timeoutSeconds: scriptsTimeout }));
        const sqlGate = declareKubectlJob(this, `${name}-sql-gate`, {
            namespace,
            image: args.kubectlImage ?? (args.openshift ? PINNED.kubectlImages.openshift : PINNED.kubectlImages.kubernetes),
            script: gate,
            rules: managedSqlGateRules(clusterName),
            timeoutSeconds: scriptsTimeout,
            runAsUser: args.openshift ? undefined : KUBECTL_JOB_UID,
            component: "managed-sql-gate",
            dependsOn: deps,
            jobDependsOn: [sgCluster],
        });

        this.clusterName = pulumi.output(clusterName);
        this.primaryHost = pulumi.output(namespace).apply((ns) => stackGresPrimaryHost(clusterName, ns));
        this.port = pulumi.output(POSTGRES_PORT);
        this.ready = [sgCluster, sqlGate];
        this.registerOutputs({ clusterName: this.clusterName, primaryHost: this.primaryHost, port: this.port });
    }
}
