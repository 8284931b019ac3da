/**
 * Builds a whole stack from its `Pulumi.<stack>.yaml` under the recording mock engine, the way
 * `pulumi up` would run the program, but with no CLI, backend or cluster.
 */
import * as path from "node:path";
import { loadStackFile } from "../../scripts/lib/stacks";
import { Registration, registrations, settle, setupMocks } from "./mocks";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Builds the stack and waits for every registration; returns the stack's outputs. */
export async function buildStackUnderMocks(stack: string, env: { vaultToken?: string } = {}) {
    await setupMocks({ stack });
    const { parseStackConfig, rawConfigFromPulumi } = await import("../../stacks/config");
    const { buildStack } = await import("../../stacks");
    const file = loadStackFile(REPO_ROOT, stack);
    const config = parseStackConfig(stack, rawConfigFromPulumi(file.config), env);
    const outputs = buildStack(config);
    await settle();
    return { config, outputs };
}

/** `type name namespace` of every resource the program declares (providers left out), sorted. */
export function inventory(): string[] {
    return registrations
        .filter((r) => !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("vaultkit:index:"))
        .map((r) => `${r.type} ${r.name} ${r.inputs.metadata?.namespace ?? r.inputs.namespace ?? "-"}`)
        .sort();
}

/** Every path inside `value` at which `needle` occurs as (part of) a string. */
export function pathsContaining(value: unknown, needle: string, prefix = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [prefix] : [];
    }
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => pathsContaining(v, needle, prefix ? `${prefix}.${k}` : k));
}

/** True when `p` is a secret path or lies inside one. */
export function coveredBySecret(r: Registration, p: string): boolean {
    return r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`));
}

/** What the registered Vault objects give whoever logs in with one Kubernetes auth role. */
export interface RegisteredAccess {
    serviceAccounts: string[];
    namespaces: string[];
    /** The names in the role's `tokenPolicies`, each of which must be a registered Policy. */
    policies: string[];
    /** Paths those policies grant `read` on (parsed from the registered HCL). */
    readablePaths: string[];
    /** The static roles at those paths (`<backend>/static-creds/<name>`), as registered. */
    staticRoles: { backend: string; name: string; username: string; dbName: string }[];
    /** For each static role: does its connection list it in `allowed_roles` (Vault refuses it otherwise)? */
    allowedByConnection: boolean[];
}

/**
 * Follows the registrations from a Kubernetes auth role name (what a stack output or a workload
 * names) to its policies, the paths they grant, the static roles at those paths and their
 * connection, so a test compares the whole chain with literals instead of with the code's own names.
 */
export function registeredAccess(authRole: string): RegisteredAccess {
    const roles = registrations.filter((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && r.inputs.roleName === authRole);
    if (roles.length !== 1) throw new Error(`expected one AuthBackendRole with roleName '${authRole}', found ${roles.length}`);
    const role = roles[0]!.inputs;
    const policies: string[] = role.tokenPolicies;
    const readablePaths = policies.flatMap((name) => {
        const found = registrations.filter((r) => r.type === "vault:index/policy:Policy" && r.inputs.name === name);
        if (found.length !== 1) throw new Error(`auth role '${authRole}' carries policy '${name}', registered ${found.length} times`);
        const hcl: string = found[0]!.inputs.policy;
        return [...hcl.matchAll(/path "([^"]+)" \{\n {2}capabilities = \[([^\]]*)\]/g)].filter((m) => m[2]!.includes('"read"')).map((m) => m[1]!);
    });
    const staticRoles = registrations
        .filter((r) => r.type === "vault:database/secretBackendStaticRole:SecretBackendStaticRole")
        .map((r) => ({ backend: r.inputs.backend, name: r.inputs.name, username: r.inputs.username, dbName: r.inputs.dbName }))
        .filter((s) => readablePaths.includes(`${s.backend}/static-creds/${s.name}`));
    const allowedByConnection = staticRoles.map((s) =>
        registrations.some(
            (r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection" && r.inputs.backend === s.backend && r.inputs.name === s.dbName && (r.inputs.allowedRoles ?? []).includes(s.name),
        ),
    );
    return { serviceAccounts: role.boundServiceAccountNames, namespaces: role.boundServiceAccountNamespaces, policies, readablePaths, staticRoles, allowedByConnection };
}
