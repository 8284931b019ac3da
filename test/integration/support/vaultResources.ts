/**
 * Applies the Vault half a program declared (its `vault:*` registrations, captured by the recording
 * mock engine of scripts/lib/engine.ts) to a real Vault-API server over the HTTP API: a stand-in for
 * the vault provider, which the Go module proxy refuses to serve (engine/provider-vault/BLOCKED.md).
 *
 * Each supported type maps its inputs one to one onto the API body the provider would send
 * (camelCase input -> snake_case field, as in the provider's schema); an input this file does not
 * know fails the run instead of being dropped, so a new argument in a component cannot slip past.
 */
import type { Capture, CapturedResource } from "../../../scripts/lib/engine";
import { containsUnknown, unwrapWireSecrets } from "../../../scripts/lib/wire";
import type { VaultApi } from "./vaultApi";

/** What {@link applyVaultResources} created, for {@link removeVaultResources}. */
export interface AppliedVault {
    mounts: string[];
    auths: string[];
    policies: string[];
}

type Inputs = Record<string, unknown>;

/**
 * The provider's camelCase argument as the Vault API field: the vault provider maps each input to the
 * API field of the same name in snake_case (its schema), so this is the one place the tests stand in
 * for that mapping. A builder that produced a wrong or misspelt argument reaches Vault as it is, and
 * Vault refuses it or the login/rotation that depends on it fails.
 */
function snake(key: string): string {
    return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The inputs without secret markers; fails on an unknown (a preview value nobody computed). */
export function plainInputs(r: CapturedResource): Inputs {
    if (containsUnknown(r.inputs)) {
        throw new Error(`${r.type} ${r.name}: an input is unknown under the mock engine; cannot apply it`);
    }
    return unwrapWireSecrets(r.inputs) as Inputs;
}

/** `inputs` as an API body: every key in `allowed` becomes snake_case; any other key is an error. */
function body(what: string, inputs: Inputs, allowed: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        if (v === undefined) {
            continue;
        }
        if (!allowed.includes(k)) {
            throw new Error(`${what}: input '${k}' is not mapped to the HTTP API (test/integration/support/vaultResources.ts)`);
        }
        out[snake(k)] = v;
    }
    return out;
}

function str(what: string, inputs: Inputs, key: string): string {
    const v = inputs[key];
    if (typeof v !== "string" || v === "") {
        throw new Error(`${what}: expected a string '${key}', got ${JSON.stringify(v)}`);
    }
    return v;
}

function without(inputs: Inputs, ...keys: string[]): Inputs {
    return Object.fromEntries(Object.entries(inputs).filter(([k]) => !keys.includes(k)));
}

const TYPE = {
    mount: "vault:index/mount:Mount",
    authBackend: "vault:index/authBackend:AuthBackend",
    policy: "vault:index/policy:Policy",
    kvSecret: "vault:kv/secretV2:SecretV2",
    authConfig: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
    authRole: "vault:kubernetes/authBackendRole:AuthBackendRole",
    connection: "vault:database/secretBackendConnection:SecretBackendConnection",
    staticRole: "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
    endpoint: "vault:generic/endpoint:Endpoint",
} as const;

/** Types in the order they must be written (a role needs its backend, a static role its connection). */
const ORDER: string[] = [TYPE.mount, TYPE.authBackend, TYPE.policy, TYPE.kvSecret, TYPE.authConfig, TYPE.authRole, TYPE.connection, TYPE.staticRole, TYPE.endpoint];

/** One API write: the path and the body the provider would send. */
export interface ApiWrite {
    path: string;
    body: Record<string, unknown>;
}

/** The write the provider makes for a resource of `type` with these (plain) inputs; `what` names it in errors. */
function apiWrite(type: string, what: string, i: Inputs): ApiWrite {
    switch (type) {
        case TYPE.kvSecret:
            body(what, i, ["mount", "name", "dataJson"]);
            return { path: `${str(what, i, "mount")}/data/${str(what, i, "name")}`, body: { data: JSON.parse(str(what, i, "dataJson")) } };
        case TYPE.authConfig:
            return {
                path: `auth/${str(what, i, "backend")}/config`,
                body: body(what, without(i, "backend"), ["kubernetesHost", "kubernetesCaCert", "tokenReviewerJwt", "disableLocalCaJwt", "disableIssValidation", "issuer", "pemKeys"]),
            };
        case TYPE.authRole:
            return {
                path: `auth/${str(what, i, "backend")}/role/${str(what, i, "roleName")}`,
                body: body(what, without(i, "backend", "roleName"), ["boundServiceAccountNames", "boundServiceAccountNamespaces", "tokenPolicies", "audience", "tokenTtl", "tokenMaxTtl", "aliasNameSource"]),
            };
        case TYPE.connection: {
            const pg = i.postgresql as Inputs | undefined;
            if (!pg || i.pluginName !== "postgresql-database-plugin") {
                throw new Error(`${what}: only the postgresql plugin is mapped`);
            }
            // The provider flattens the plugin block into the connection's fields.
            return {
                path: `${str(what, i, "backend")}/config/${str(what, i, "name")}`,
                body: {
                    ...body(what, without(i, "backend", "name", "postgresql"), ["pluginName", "allowedRoles", "verifyConnection", "rootRotationStatements"]),
                    ...body(what, pg, ["connectionUrl", "username", "password", "maxOpenConnections", "maxIdleConnections", "maxConnectionLifetime", "usernameTemplate", "passwordAuthentication"]),
                },
            };
        }
        case TYPE.staticRole:
            return {
                path: `${str(what, i, "backend")}/static-roles/${str(what, i, "name")}`,
                body: body(what, without(i, "backend", "name"), ["dbName", "username", "rotationPeriod", "rotationStatements"]),
            };
        case TYPE.endpoint:
            body(what, i, ["path", "dataJson", "disableRead", "disableDelete"]);
            return { path: str(what, i, "path"), body: JSON.parse(str(what, i, "dataJson")) };
        default:
            throw new Error(`${what}: no HTTP API mapping for this type`);
    }
}

/** A `vault.database.SecretBackendConnection`'s arguments (databaseConnectionInputs) as the API write. */
export function connectionWrite(inputs: object): ApiWrite {
    return apiWrite(TYPE.connection, "connection", inputs as Inputs);
}

/** A `vault.database.SecretBackendStaticRole`'s arguments (staticRoleInputs) as the API write. */
export function staticRoleWrite(inputs: object): ApiWrite {
    return apiWrite(TYPE.staticRole, "static role", inputs as Inputs);
}

/** A `vault.generic.Endpoint`'s arguments (e.g. rotateRootEndpointInputs) as the API write. */
export function endpointWrite(inputs: object): ApiWrite {
    return apiWrite(TYPE.endpoint, "endpoint", inputs as Inputs);
}

/** A `vault.kubernetes.AuthBackendRole`'s arguments (kubernetesAuthRoleInputs plus `backend`) as the API write. */
export function authRoleWrite(inputs: object): ApiWrite {
    return apiWrite(TYPE.authRole, "auth role", inputs as Inputs);
}

/** A `vault.kubernetes.AuthBackendConfig`'s arguments (kubernetesAuthConfigInputs plus `backend`) as the API write. */
export function authConfigWrite(inputs: object): ApiWrite {
    return apiWrite(TYPE.authConfig, "auth config", inputs as Inputs);
}

/** One resource as the provider would create it. */
async function applyOne(vault: VaultApi, r: CapturedResource, applied: AppliedVault): Promise<void> {
    const i = plainInputs(r);
    const what = `${r.type} ${r.name}`;
    switch (r.type) {
        case TYPE.mount: {
            const path = str(what, i, "path");
            await vault.unmount(path);
            await vault.must("write", `sys/mounts/${path}`, body(what, without(i, "path"), ["type", "description", "options"]));
            applied.mounts.push(path);
            return;
        }
        case TYPE.authBackend: {
            const path = typeof i.path === "string" ? i.path : str(what, i, "type");
            await vault.must("write", `sys/auth/${path}`, body(what, without(i, "path"), ["type", "description"]));
            applied.auths.push(path);
            return;
        }
        case TYPE.policy: {
            const name = str(what, i, "name");
            await vault.policyWrite(name, str(what, i, "policy"));
            applied.policies.push(name);
            return;
        }
        default: {
            const w = apiWrite(r.type, what, i);
            await vault.must("write", w.path, w.body);
        }
    }
}

/**
 * Writes every `vault:*` resource of `capture` to `vault`, after checking that the program's vault
 * provider points at this very server. On failure, what was created so far is in the thrown error's
 * `applied` property (and removed by the caller's cleanup through {@link removeVaultResources}).
 */
export async function applyVaultResources(vault: VaultApi, capture: Capture, applied: AppliedVault = { mounts: [], auths: [], policies: [] }): Promise<AppliedVault> {
    const providers = capture.resources.filter((r) => r.type === "pulumi:providers:vault");
    for (const p of providers) {
        const address = plainInputs(p).address;
        if (address !== vault.addr) {
            throw new Error(`the program's vault provider ${p.name} points at ${JSON.stringify(address)}, not at the server under test ${vault.addr}`);
        }
    }
    const resources = capture.resources.filter((r) => r.custom && r.type.startsWith("vault:"));
    const unknownTypes = [...new Set(resources.map((r) => r.type).filter((t) => !ORDER.includes(t)))];
    if (unknownTypes.length > 0) {
        throw new Error(`no HTTP API mapping for ${unknownTypes.join(", ")}`);
    }
    for (const type of ORDER) {
        for (const r of resources.filter((x) => x.type === type)) {
            await applyOne(vault, r, applied);
        }
    }
    return applied;
}

/** Disables what {@link applyVaultResources} created (mounts, auth methods, policies). */
export async function removeVaultResources(vault: VaultApi, applied: AppliedVault): Promise<void> {
    const problems: unknown[] = [];
    for (const m of applied.mounts) {
        await vault.unmount(m).catch((e) => problems.push(e));
    }
    for (const a of applied.auths) {
        await vault.must("delete", `sys/auth/${a}`).catch((e) => problems.push(e));
    }
    for (const p of applied.policies) {
        await vault.must("delete", `sys/policies/acl/${p}`).catch((e) => problems.push(e));
    }
    if (problems.length > 0) {
        throw new AggregateError(problems, "removing the applied Vault resources failed");
    }
}
