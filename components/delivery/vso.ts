/**
 * Vault Secrets Operator custom resources as data (`secrets.hashicorp.com/v1beta1`, checked against
 * the v1.4.1 CRDs). The components wrap these; tests read them directly.
 */
import { staticCredsSubPath } from "../vault/paths";

/** API version of every VSO object this project writes. */
export const VSO_API_VERSION = "secrets.hashicorp.com/v1beta1";

/**
 * Pulumi waits until the operator has written the destination Secret at least once: VSO stores
 * `status.secretMAC` only after a successful sync (VaultStaticSecret with `hmacSecretData`, and
 * VaultDynamicSecret for static creds), on every VSO release since v0.4.
 */
export const VSO_SYNCED_WAIT_FOR = "jsonpath={.status.secretMAC}";

const DURATION = /^([0-9]+(\.[0-9]+)?(s|m|h))$/;

/** `spec` of a VaultConnection. */
export interface VaultConnectionSpec {
    address: string;
    skipTLSVerify: boolean;
    caCertSecretRef?: string;
}

/** A VaultConnection: where VSO reaches Vault from this namespace. */
export function vaultConnectionSpec(address: string, skipTlsVerify = false, caSecretName?: string): VaultConnectionSpec {
    if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(address)) {
        throw new Error(`vault.address must be an http:// or https:// URL, got ${JSON.stringify(address)}`);
    }
    if (skipTlsVerify && caSecretName) {
        throw new Error("vault.skipTlsVerify and vault.caSecretName are mutually exclusive: give the CA or skip verification, not both");
    }
    return { address, skipTLSVerify: skipTlsVerify, ...(caSecretName ? { caCertSecretRef: caSecretName } : {}) };
}

/** Inputs of a Kubernetes-method VaultAuth. */
export interface VaultAuthInputs {
    /** Name of the VaultConnection (same namespace). */
    vaultConnectionName: string;
    /** Mount of Vault's Kubernetes auth method, e.g. `kubernetes`. */
    mount: string;
    /** Vault Kubernetes auth role. */
    role: string;
    /** Service account VSO requests a token for (must be bound by the role). */
    serviceAccount: string;
    /** Token audiences; must match the role's `audience` when it has one. */
    audiences?: string[];
    /** Lifetime of the token VSO requests (VSO's default when omitted). */
    tokenExpirationSeconds?: number;
}

/** `spec` of a VaultAuth using the Kubernetes method. */
export function vaultAuthSpec(a: VaultAuthInputs): Record<string, unknown> {
    requireNonEmpty({ vaultConnectionName: a.vaultConnectionName, mount: a.mount, role: a.role, serviceAccount: a.serviceAccount });
    if (a.tokenExpirationSeconds !== undefined && (!Number.isInteger(a.tokenExpirationSeconds) || a.tokenExpirationSeconds < 600)) {
        throw new Error(`tokenExpirationSeconds must be a whole number of at least 600 (Kubernetes minimum), got ${a.tokenExpirationSeconds}`);
    }
    return {
        vaultConnectionRef: a.vaultConnectionName,
        method: "kubernetes",
        mount: a.mount,
        kubernetes: {
            role: a.role,
            serviceAccount: a.serviceAccount,
            ...(a.audiences && a.audiences.length > 0 ? { audiences: [...a.audiences] } : {}),
            ...(a.tokenExpirationSeconds !== undefined ? { tokenExpirationSeconds: a.tokenExpirationSeconds } : {}),
        },
    };
}

/** Inputs of a KV v2 VaultStaticSecret. */
export interface VaultStaticSecretInputs {
    vaultAuthName: string;
    /** KV v2 mount, e.g. `kv-v2`. */
    mount: string;
    /** Secret path inside the mount (no `data/`), e.g. `keycloak-postgresql/config`. */
    path: string;
    refreshAfterSeconds: number;
    destinationSecretName: string;
    /** Deployments VSO restarts when the secret's data changes. */
    rolloutRestartDeployments?: string[];
}

/** `spec` of a VaultStaticSecret syncing one KV v2 secret into a Secret VSO creates. */
export function vaultStaticSecretSpec(a: VaultStaticSecretInputs): Record<string, unknown> {
    requireNonEmpty({ vaultAuthName: a.vaultAuthName, mount: a.mount, path: a.path, destinationSecretName: a.destinationSecretName });
    if (a.path.startsWith("data/") || a.path.startsWith("/") || a.path.endsWith("/")) {
        throw new Error(`path is the KV secret path without the mount or 'data/' prefix (e.g. 'keycloak-postgresql/config'), got ${JSON.stringify(a.path)}`);
    }
    return {
        vaultAuthRef: a.vaultAuthName,
        type: "kv-v2",
        mount: a.mount,
        path: a.path,
        refreshAfter: durationString(a.refreshAfterSeconds),
        // Needed for drift detection, for rollout restarts, and for the waitFor on status.secretMAC.
        hmacSecretData: true,
        destination: { name: a.destinationSecretName, create: true, overwrite: false },
        ...rolloutTargets(a.rolloutRestartDeployments),
    };
}

/** Inputs of a VaultDynamicSecret reading database static credentials. */
export interface VaultStaticCredsSecretInputs {
    vaultAuthName: string;
    /** Mount of the database secrets engine, e.g. `database`. */
    databaseMount: string;
    /** Static role name; VSO reads `<mount>/static-creds/<role>`. */
    staticRoleName: string;
    destinationSecretName: string;
    /** Deployments VSO restarts after Vault rotates the password. */
    rolloutRestartDeployments: string[];
}

/**
 * `spec` of a VaultDynamicSecret for database STATIC credentials: `allowStaticCreds` makes VSO
 * re-read just after each rotation (at the credentials' TTL) and restart the targets. It ends like
 * {@link vaultStaticSecretSpec} on purpose: the two CRDs name their shared fields alike
 * (`vaultAuthRef`, `mount`, `path`, `destination`, rollout targets), and each spec reads whole.
 */
export function vaultStaticCredsSecretSpec(a: VaultStaticCredsSecretInputs): Record<string, unknown> {
    requireNonEmpty({ vaultAuthName: a.vaultAuthName, databaseMount: a.databaseMount, staticRoleName: a.staticRoleName, destinationSecretName: a.destinationSecretName });
    if (a.staticRoleName.includes("/")) {
        throw new Error(`staticRoleName must be a role name without '/', got ${JSON.stringify(a.staticRoleName)}`);
    }
    return {
        vaultAuthRef: a.vaultAuthName,
        mount: a.databaseMount,
        path: staticCredsSubPath(a.staticRoleName),
        allowStaticCreds: true,
        destination: { name: a.destinationSecretName, create: true, overwrite: false },
        ...rolloutTargets(a.rolloutRestartDeployments),
    };
}

function rolloutTargets(deployments: string[] | undefined): Record<string, unknown> {
    if (!deployments || deployments.length === 0) {
        return {};
    }
    return { rolloutRestartTargets: deployments.map((name) => ({ kind: "Deployment", name })) };
}

/** `30` -> `"30s"`, validated against the CRD's duration pattern. */
export function durationString(seconds: number): string {
    if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new Error(`expected a whole number of seconds above 0, got ${seconds}`);
    }
    const s = `${seconds}s`;
    if (!DURATION.test(s)) {
        throw new Error(`invalid duration ${s}`);
    }
    return s;
}

function requireNonEmpty(fields: Record<string, string>): void {
    for (const [k, v] of Object.entries(fields)) {
        if (typeof v !== "string" || v.trim() === "") {
            throw new Error(`${k} must be a non-empty string`);
        }
    }
}
