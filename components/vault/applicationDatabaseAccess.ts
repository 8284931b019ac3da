import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import * as vault from "@pulumi/vault";
import { applicationAuthRoleSpec, staticRoleInputs } from "./databaseSecretsData";
import { kubernetesAuthRoleInputs } from "./kubernetesAuthRole";
import { staticCredsPath, staticCredsPolicyName } from "./paths";
import { applicationPolicyHcl } from "./policies";

/** Arguments of {@link ApplicationDatabaseAccess}. */
export interface ApplicationDatabaseAccessArgs {
    /** Mount of the database secrets engine. Seed: `database`. */
    databaseMount: pulumi.Input<string>;
    /** Connection (db_name) the static role uses; it must list this role in `allowed_roles`. */
    connectionName: pulumi.Input<string>;
    /** Vault static role name: one path segment. Seed: `app`. Plain: the policy and auth role are named after it (components/vault/paths.ts). */
    staticRoleName: string;
    /** The existing PostgreSQL role whose password Vault rotates; never the superuser. Seed: `app`. */
    databaseUsername: pulumi.Input<string>;
    /** Rotation period in seconds, at least 5 (Vault's minimum). Seed: 86400. */
    rotationPeriodSeconds: pulumi.Input<number>;
    /** Mount of the Kubernetes auth method. Default `kubernetes`. */
    authMount?: pulumi.Input<string>;
    /** Kubernetes auth role name. Default: the static role name. Plain, like the static role's name. */
    authRoleName?: string;
    /** Service accounts of the application (no wildcards). */
    serviceAccountNames: pulumi.Input<string>[];
    /** Namespaces of the application (no wildcards). */
    namespaces: pulumi.Input<string>[];
    /** Expected token audience. */
    audience?: pulumi.Input<string>;
    /** Vault token TTL in seconds. Default 3600. */
    tokenTtlSeconds?: pulumi.Input<number>;
}

/**
 * One application's database credentials: the static role Vault rotates, a policy granting read on
 * exactly its `static-creds` path (the policy the seed forgot), and a Kubernetes auth role binding
 * that policy to the application's service account. No application can read another's creds.
 */
export class ApplicationDatabaseAccess extends pulumi.ComponentResource {
    /** `<mount>/static-creds/<role>`: what the application reads. */
    public readonly credsPath: pulumi.Output<string>;
    /** The policy's name. */
    public readonly policyName: pulumi.Output<string>;
    /** The Kubernetes auth role's name. */
    public readonly authRoleName: pulumi.Output<string>;
    /** The static role's name. */
    public readonly staticRoleName: pulumi.Output<string>;

    constructor(name: string, args: ApplicationDatabaseAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // What Vault would refuse (or must never be asked) fails here, before anything is registered:
        // the static role's arguments, and the binding (no wildcards, nothing empty).
        const staticRoleArgs = staticRoleInputs(args);
        const roleInputs = kubernetesAuthRoleInputs(applicationAuthRoleSpec(args));
        super("vaultkit:index:ApplicationDatabaseAccess", name, args, opts);

        const staticRole = new vault.database.SecretBackendStaticRole(`${name}-static-role`, staticRoleArgs, { parent: this, dependsOn: childDependsOn(opts) });
        const policy = new vault.Policy(
            `${name}-policy`,
            {
                name: staticCredsPolicyName(args.staticRoleName),
                policy: pulumi.output(args.databaseMount).apply((databaseMount) => applicationPolicyHcl({ ...args, databaseMount })),
            },
            { parent: this, dependsOn: childDependsOn(opts) },
        );
        // The role's token policy is the one above (same name builder): it waits for it to exist.
        const authRole = new vault.kubernetes.AuthBackendRole(
            `${name}-auth-role`,
            { ...roleInputs, backend: args.authMount ?? "kubernetes" },
            { parent: this, dependsOn: childDependsOn(opts, staticRole, policy) },
        );
        this.credsPath = pulumi.all([args.databaseMount, staticRole.name]).apply(([mount, role]) => staticCredsPath(mount, role));
        this.policyName = policy.name;
        this.authRoleName = authRole.roleName;
        this.staticRoleName = staticRole.name;
        this.registerOutputs({
            credsPath: this.credsPath,
            policyName: this.policyName,
            authRoleName: this.authRoleName,
            staticRoleName: this.staticRoleName,
        });
    }
}
