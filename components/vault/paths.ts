/**
 * Every Vault API path and name vaultkit derives from another name, built here once. Components,
 * stacks and the examples read them from here (or from a component's outputs) instead of spelling
 * `<mount>/static-creds/<role>` themselves, so no caller has to check that its copy agrees.
 * Paths carry no `/v1/` prefix; validation stays with the component or rule that takes the input.
 */

/** `<mount>/data/<path>`: the API path that reads a KV v2 secret. */
export function kvDataPath(kvMount: string, secretPath: string): string {
    return `${kvMount}/data/${secretPath}`;
}

/** `static-creds/<role>`: a static role's credentials inside its database mount (VSO's `mount` + `path`). */
export function staticCredsSubPath(staticRoleName: string): string {
    return `static-creds/${staticRoleName}`;
}

/** `<mount>/static-creds/<role>`: the API path of a static role's current credentials. */
export function staticCredsPath(databaseMount: string, staticRoleName: string): string {
    return `${databaseMount}/${staticCredsSubPath(staticRoleName)}`;
}

/** `<role>-database-creds`: the policy that reads exactly one static role's credentials. */
export function staticCredsPolicyName(staticRoleName: string): string {
    return `${staticRoleName}-database-creds`;
}

/** `<mount>/rotate-root/<connection>`: the API path that makes Vault replace the connection's own password. */
export function rotateRootPath(databaseMount: string, connectionName: string): string {
    return `${databaseMount}/rotate-root/${connectionName}`;
}

/** `auth/<mount>`: an auth method's path (the agent injector's `auth-path`). */
export function authMountPath(authMount: string): string {
    return `auth/${authMount}`;
}

/** An application's Kubernetes auth role: `authRoleName` when given, else its static role's name. */
export function applicationAuthRoleName(a: { staticRoleName: string; authRoleName?: string }): string {
    return a.authRoleName ?? a.staticRoleName;
}

/** An application's names in Vault, all following its static role's name. */
export interface ApplicationVaultNames {
    /** The static role Vault rotates. */
    staticRoleName: string;
    /** The Kubernetes auth role the application logs in with. */
    authRoleName: string;
    /** The policy that reads the static role's credentials ({@link staticCredsPolicyName}). */
    policyName: string;
    /** Where the application reads its credentials ({@link staticCredsPath}). */
    credsPath: string;
}

/**
 * The names of an application whose static role is `staticRoleName` on `databaseMount`; its auth role
 * follows {@link applicationAuthRoleName}.
 */
export function applicationVaultNames(a: { databaseMount: string; staticRoleName: string; authRoleName?: string }): ApplicationVaultNames {
    return {
        staticRoleName: a.staticRoleName,
        authRoleName: applicationAuthRoleName(a),
        policyName: staticCredsPolicyName(a.staticRoleName),
        credsPath: staticCredsPath(a.databaseMount, a.staticRoleName),
    };
}
