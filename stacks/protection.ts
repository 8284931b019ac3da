/**
 * Resource options for what holds state: a deletion or replacement of these loses data (the admin
 * credentials StackGres was bootstrapped with, every secret under a mount, every role of an auth
 * method, the database itself). Applied from here as a transformation on the components that
 * declare them, so the components stay option-free and the rule lives in one place.
 *
 * - `protect` (config `protect`, default: production): Pulumi refuses to delete or replace them
 *   (`pulumi state unprotect` first, docs/operations.md).
 * - `retainOnDelete` (config `retainOnDelete`, default: with an existing Vault): `pulumi destroy`
 *   and a replacement leave the Vault mounts, the auth method and the admin secret in Vault.
 * - The database connection is always protected once `rotate-root` took its password: a
 *   replacement would write the original password Vault rotated away and fail.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./config";

/** Types whose deletion loses data, and whether they live in Vault (retained with an existing Vault). */
export const STATEFUL_TYPES: Record<string, { inVault: boolean }> = {
    "vault:index/mount:Mount": { inVault: true },
    "vault:index/authBackend:AuthBackend": { inVault: true },
    "vault:kv/secretV2:SecretV2": { inVault: true },
    // The admin credentials' passwords: StackGres bootstrapped the database with them.
    "random:index/randomPassword:RandomPassword": { inVault: false },
    "kubernetes:stackgres.io/v1:SGCluster": { inVault: false },
};

const CONNECTION_TYPE = "vault:database/secretBackendConnection:SecretBackendConnection";

/** The options a resource of `type` gets in this stack (empty when none). */
export function statefulOptions(config: Pick<StackConfig, "protect" | "retainOnDelete" | "database">, type: string): { protect?: true; retainOnDelete?: true } {
    const stateful = STATEFUL_TYPES[type];
    if (type === CONNECTION_TYPE && config.database.rotateVaultAdminPassword) {
        return { protect: true };
    }
    if (!stateful) {
        return {};
    }
    return {
        ...(config.protect ? { protect: true as const } : {}),
        ...(config.retainOnDelete && stateful.inVault ? { retainOnDelete: true as const } : {}),
    };
}

/**
 * The `transformations` option for a component holding state: its stateful children get
 * {@link statefulOptions}; nothing else is touched.
 */
export function statefulTransformations(config: Pick<StackConfig, "protect" | "retainOnDelete" | "database">): pulumi.ResourceTransformation[] {
    return [
        (args) => {
            const extra = statefulOptions(config, args.type);
            return Object.keys(extra).length === 0 ? undefined : { props: args.props, opts: pulumi.mergeOptions(args.opts, extra) };
        },
    ];
}
