/**
 * Vault ACL policy documents as data. Kept pure so that unit tests check the exact text and the
 * real-server tier writes the very same HCL to OpenBao and probes what it allows.
 */
import { kvDataPath, staticCredsPath } from "./paths";

/** Capabilities Vault understands on a policy path. */
export type Capability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny";

/** One `path "..." { capabilities = [...] }` block. */
export interface PolicyRule {
    /** The API path (without `/v1/`), e.g. `kv-v2/data/keycloak-postgresql/config`. */
    path: string;
    /** What the holder may do on that path. */
    capabilities: Capability[];
}

const PATH_SEGMENT = /^[A-Za-z0-9._@+=-][A-Za-z0-9._@+=/-]*$/;

function assertPathSegment(what: string, value: string): void {
    if (!PATH_SEGMENT.test(value) || value.includes("//") || value.endsWith("/")) {
        throw new Error(`${what} must be a Vault path without wildcards or empty segments, got ${JSON.stringify(value)}`);
    }
}

/** Renders rules as HCL, one block per rule, in the order given (Vault's own `policy read` style). */
export function renderPolicyHcl(rules: PolicyRule[]): string {
    if (rules.length === 0) {
        throw new Error("a policy needs at least one rule");
    }
    return rules
        .map((rule) => {
            if (rule.capabilities.length === 0) {
                throw new Error(`policy rule on ${JSON.stringify(rule.path)} has no capabilities`);
            }
            const caps = rule.capabilities.map((c) => JSON.stringify(c)).join(", ");
            return `path ${JSON.stringify(rule.path)} {\n  capabilities = [${caps}]\n}\n`;
        })
        .join("\n");
}

/**
 * Read-only access to exactly one KV v2 secret: the `data/` path of that secret, nothing else
 * (no metadata, no listing, no other versions' destruction).
 */
export function kvReadPolicyRules(kvMount: string, secretPath: string): PolicyRule[] {
    assertPathSegment("kv mount", kvMount);
    assertPathSegment("kv secret path", secretPath);
    return [{ path: kvDataPath(kvMount, secretPath), capabilities: ["read"] }];
}

/**
 * Read access to the current credentials of one database static role. The seed forgot this
 * policy; without it the user-credentials app cannot read `database/static-creds/app`.
 */
export function staticCredsReadPolicyRules(dbMount: string, roleName: string): PolicyRule[] {
    assertPathSegment("database mount", dbMount);
    assertPathSegment("static role name", roleName);
    if (roleName.includes("/")) {
        throw new Error(`static role name must not contain '/', got ${JSON.stringify(roleName)}`);
    }
    return [{ path: staticCredsPath(dbMount, roleName), capabilities: ["read"] }];
}

/**
 * The HCL of the policy ApplicationDatabaseAccess writes for an application (named by
 * `staticCredsPolicyName(staticRoleName)`): read on its static role's credentials, which are found by
 * the static role's name, never by the database role it rotates.
 */
export function applicationPolicyHcl(spec: { databaseMount: string; staticRoleName: string }): string {
    return renderPolicyHcl(staticCredsReadPolicyRules(spec.databaseMount, spec.staticRoleName));
}
