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
function body(r: CapturedResource, inputs: Inputs, allowed: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        if (!allowed.includes(k)) {
            throw new Error(`${r.type} ${r.name}: input '${k}' is not mapped to the HTTP API (test/integration/support/vaultResources.ts)`);
        }
        out[snake(k)] = v;
    }
    return out;
}

function str(r: CapturedResource, inputs: Inputs, key: string): string {
    const v = inputs[key];
    if (typeof v !== "string" || v === "") {
        throw new Error(`${r.type} ${r.name}: expected a string '${key}', got ${JSON.stringify(v)}`);
    }
    return v;
}

function without(inputs: Inputs, ...keys: string[]): Inputs {
    return Object.fromEntries(Object.entries(inputs).filter(([k]) => !keys.includes(k)));
}

/** Types in the order they must be written (a role needs its backend, a static role its connection). */
const ORDER = [
    "vault:index/mount:Mount",
    "vault:index/authBackend:AuthBackend",
    "vault:index/policy:Policy",
    "vault:kv/secretV2:SecretV2",
    "vault:kubernetes/authBackendConfig:AuthBackendConfig",
    "vault:kubernetes/authBackendRole:AuthBackendRole",
    "vault:database/secretBackendConnection:SecretBackendConnection",
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
    "vault:generic/endpoint:Endpoint",
];

/** One resource as the provider would create it. */
async function applyOne(vault: VaultApi, r: CapturedResource, applied: AppliedVault): Promise<void> {
    const i = plainInputs(r);
    switch (r.type) {
        case "vault:index/mount:Mount": {
            const path = str(r, i, "path");
            await vault.unmount(path);
            await vault.must("write", `sys/mounts/${path}`, body(r, without(i, "path"), ["type", "description", "options"]));
            applied.mounts.push(path);
            return;
        }
        case "vault:index/authBackend:AuthBackend": {
            const path = typeof i.path === "string" ? i.path : str(r, i, "type");
            await vault.must("write", `sys/auth/${path}`, body(r, without(i, "path"), ["type", "description"]));
            applied.auths.push(path);
            return;
        }
        case "vault:index/policy:Policy": {
            const name = str(r, i, "name");
            await vault.policyWrite(name, str(r, i, "policy"));
            applied.policies.push(name);
            return;
        }
        case "vault:kv/secretV2:SecretV2":
            body(r, i, ["mount", "name", "dataJson"]);
            await vault.must("write", `${str(r, i, "mount")}/data/${str(r, i, "name")}`, { data: JSON.parse(str(r, i, "dataJson")) });
            return;
        case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
            await vault.must(
                "write",
                `auth/${str(r, i, "backend")}/config`,
                body(r, without(i, "backend"), ["kubernetesHost", "kubernetesCaCert", "tokenReviewerJwt", "disableLocalCaJwt", "disableIssValidation", "issuer", "pemKeys"]),
            );
            return;
        case "vault:kubernetes/authBackendRole:AuthBackendRole":
            await vault.must(
                "write",
                `auth/${str(r, i, "backend")}/role/${str(r, i, "roleName")}`,
                body(r, without(i, "backend", "roleName"), ["boundServiceAccountNames", "boundServiceAccountNamespaces", "tokenPolicies", "audience", "tokenTtl", "tokenMaxTtl", "aliasNameSource"]),
            );
            return;
        case "vault:database/secretBackendConnection:SecretBackendConnection": {
            const pg = i.postgresql as Inputs | undefined;
            if (!pg || i.pluginName !== "postgresql-database-plugin") {
                throw new Error(`${r.type} ${r.name}: only the postgresql plugin is mapped`);
            }
            await vault.must("write", `${str(r, i, "backend")}/config/${str(r, i, "name")}`, {
                ...body(r, without(i, "backend", "name", "postgresql"), ["pluginName", "allowedRoles", "verifyConnection", "rootRotationStatements"]),
                ...body(r, pg, ["connectionUrl", "username", "password", "maxOpenConnections", "maxIdleConnections", "maxConnectionLifetime", "usernameTemplate", "passwordAuthentication"]),
            });
            return;
        }
        case "vault:database/secretBackendStaticRole:SecretBackendStaticRole":
            await vault.must(
                "write",
                `${str(r, i, "backend")}/static-roles/${str(r, i, "name")}`,
                body(r, without(i, "backend", "name"), ["dbName", "username", "rotationPeriod", "rotationStatements"]),
            );
            return;
        case "vault:generic/endpoint:Endpoint":
            body(r, i, ["path", "dataJson", "disableRead", "disableDelete"]);
            await vault.must("write", str(r, i, "path"), JSON.parse(str(r, i, "dataJson")));
            return;
        default:
            throw new Error(`${r.type} ${r.name}: no HTTP API mapping for this type`);
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
