/**
 * The stack's configuration: read once, validated into one typed object before any resource is
 * registered. Components never read config; they receive slices of `StackConfig` as args.
 *
 * Every key lives under the project namespace `vaultkit:` (see README "Configuration reference").
 */
import { z } from "zod";
import { normalizePgpPublicKey } from "../components/vault/pgpPublicKey";
import { STACKGRES_USERNAMES } from "../components/stackgres/clusterSpecs";
import { DELIVERY_PATTERNS, type DeliveryPattern } from "../components/delivery/propagation";
import { PINNED } from "../components/versions";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../components/kubernetes/names";
import { hasTagOrDigest, isImageReference, isLatestTag } from "../components/kubernetes/images";

/** The Pulumi config namespace of this project. */
export const CONFIG_NAMESPACE = "vaultkit";

/** Keys whose values are never printed, not even in error messages. */
const SECRET_KEYS = new Set(["vaultToken", "databaseAdminPassword", "kubernetesTokenReviewerJwt"]);

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const VAULT_MOUNT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const VAULT_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const PG_ROLE = /^[a-z_][a-z0-9_]{0,62}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

/** A Kubernetes namespace: an RFC 1123 label. */
export const namespaceName = z
    .string({ error: "expected a string" })
    .max(63, { error: "expected a Kubernetes namespace of at most 63 characters" })
    .regex(DNS_LABEL, {
        error: "expected a Kubernetes namespace (lower-case letters, digits and '-', starting and ending with a letter or digit)",
    });

/** A Kubernetes object name (RFC 1123 subdomain), e.g. a ServiceAccount or Secret name. */
export const objectName = z
    .string({ error: "expected a string" })
    .max(253, { error: "expected a Kubernetes object name of at most 253 characters" })
    .regex(DNS_SUBDOMAIN, {
        error: "expected a Kubernetes object name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)",
    });

/** A name used both as a Kubernetes label-like name and in Vault paths. */
const dnsLabel = z
    .string({ error: "expected a string" })
    .max(63, { error: "expected at most 63 characters" })
    .regex(DNS_LABEL, { error: "expected lower-case letters, digits and '-' (an RFC 1123 label)" });

const vaultMount = z.string({ error: "expected a string" }).regex(VAULT_MOUNT, {
    error: "expected a Vault mount path: letters, digits, '-' and '_', no slashes",
});

const vaultPath = z.string({ error: "expected a string" }).regex(VAULT_PATH, {
    error: "expected a Vault path like 'team/app/config' (no leading or trailing '/', no wildcards)",
});

const pgRole = z.string({ error: "expected a string" }).regex(PG_ROLE, {
    error: "expected a PostgreSQL role name: lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters",
}).refine((s) => !s.startsWith("pg_"), { error: "expected a role name without the reserved prefix 'pg_'" });

const url = z.string({ error: "expected a string" }).refine(
    (s) => {
        try {
            const u = new URL(s);
            return u.protocol === "http:" || u.protocol === "https:";
        } catch {
            return false;
        }
    },
    { error: "expected an http:// or https:// URL" },
);

/** A pinned container image: a tag or digest is required, and `latest` is refused. */
export const pinnedImage = z
    .string({ error: "expected a string" })
    .refine(isImageReference, { error: "expected a container image reference" })
    .refine(hasTagOrDigest, { error: "expected an image pinned to a tag or digest (e.g. 'registry/image:1.2.3')" })
    .refine((s) => !isLatestTag(s), { error: "expected a pinned tag, not ':latest'" });

/**
 * A PostgreSQL version: `"15"`, `15` (YAML and `pulumi config set --path` write a bare 15 as a number) or
 * `"15.6"`. A non-integer number is refused: YAML reads 15.10 as 15.1.
 */
const postgresVersion = z
    .union([z.string(), z.number()], { error: "expected a PostgreSQL version like 15 or '15.6'" })
    .transform((v, ctx) => {
        if (typeof v === "number" && !Number.isInteger(v)) {
            ctx.addIssue({ code: "custom", message: "expected a minor version as a string, like '15.6' (YAML reads 15.10 as the number 15.1)" });
            return z.NEVER;
        }
        return String(v);
    })
    .pipe(z.string().regex(/^(1[2-8])(\.[0-9]+)?$/, { error: "expected a PostgreSQL major (12 to 18) or major.minor version, like 15 or '15.6'" }));

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `86400`, `"86400"`, `"90s"`, `"30m"`, `"24h"`, `"7d"` or `"1h30m"` into seconds. */
export function parseDurationSeconds(value: unknown): number | undefined {
    if (typeof value === "number") {
        return Number.isInteger(value) && value >= 0 ? value : undefined;
    }
    if (typeof value !== "string" || value.trim() === "") {
        return undefined;
    }
    const s = value.trim();
    if (/^[0-9]+$/.test(s)) {
        return Number(s);
    }
    if (!/^([0-9]+[smhd])+$/.test(s)) {
        return undefined;
    }
    let total = 0;
    for (const m of s.matchAll(/([0-9]+)([smhd])/g)) {
        total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    }
    return total;
}

/** A duration in seconds within [min, max], given as seconds or a `24h`-style string. */
function duration(min: number, max: number) {
    return z.union([z.number(), z.string()], { error: "expected a duration: seconds or a string like '24h'" }).transform((v, ctx) => {
        const seconds = parseDurationSeconds(v);
        if (seconds === undefined) {
            ctx.addIssue({ code: "custom", message: "expected a duration: whole seconds or a string like '90s', '30m', '24h', '7d'" });
            return z.NEVER;
        }
        if (seconds < min || seconds > max) {
            ctx.addIssue({ code: "custom", message: `expected a duration from ${min}s to ${max}s, which is ${seconds}s` });
            return z.NEVER;
        }
        return seconds;
    });
}

/** Vault's smallest allowed static-role rotation period is 5 s; below a minute is never sane. */
export const ROTATION_PERIOD_BOUNDS = { min: 60, max: 365 * 86400 } as const;
/** Token TTLs up to Vault's default system max TTL (768h). */
export const TOKEN_TTL_BOUNDS = { min: 60, max: 768 * 3600 } as const;
/** How often the Vault Secrets Operator re-reads a secret. */
export const REFRESH_BOUNDS = { min: 5, max: 86400 } as const;

// ---------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------

/** A base64 PGP public key (`gpg --export KEYID | base64 -w0`); whitespace is dropped, secret keys refused. */
const pgpPublicKey = z.string({ error: "expected a base64 PGP public key (gpg --export KEYID | base64 -w0)" }).transform((s, ctx) => {
    try {
        return normalizePgpPublicKey(s, "key");
    } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^key: /, "") });
        return z.NEVER;
    }
});

/** HA: declarative `vault operator init` with PGP-encrypted shares and root token (docs/ha-vault.md). */
const vaultBootstrapSchema = z
    .strictObject({
        /** One base64 PGP public key per key share, one key holder each (recovery shares with auto-unseal, unseal shares without). */
        pgpKeys: z
            .array(pgpPublicKey, { error: "expected a list of base64 PGP public keys" })
            .min(1, { error: "expected at least one PGP public key" })
            .max(255, { error: "expected at most 255 PGP public keys" }),
        /** The key the initial root token is encrypted to. */
        rootTokenPgpKey: pgpPublicKey,
        /** Key shares needed to recover (auto-unseal) or unseal (Shamir). */
        threshold: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(1, { error: "expected a threshold of at least 1" }),
        /** Pinned image with `sh` and `kubectl`; default per platform (components/vault/vaultBootstrap.ts). */
        kubectlImage: pinnedImage.optional(),
        /** How long the Job waits for Vault to answer, and again for it to unseal. Default 15m (auto-unseal) / 1h (Shamir). */
        timeout: duration(60, 6 * 3600).optional(),
    })
    .superRefine((b, ctx) => {
        if (b.threshold > b.pgpKeys.length) {
            ctx.addIssue({ code: "custom", path: ["threshold"], message: `expected at most ${b.pgpKeys.length} (the number of vault.bootstrap.pgpKeys)` });
        } else if (b.pgpKeys.length > 1 && b.threshold < 2) {
            ctx.addIssue({ code: "custom", path: ["threshold"], message: "expected at least 2 with several key shares (Vault refuses a threshold of 1 for multiple shares)" });
        }
        if (new Set(b.pgpKeys).size !== b.pgpKeys.length) {
            ctx.addIssue({ code: "custom", path: ["pgpKeys"], message: "expected a distinct key per key holder (a key repeats)" });
        }
    });

/** HA: env vars the seal stanza reads from Secrets created out of band (vault-helm `server.extraSecretEnvironmentVars`). */
const sealSecretEnv = z
    .array(
        z.strictObject({
            envName: z.string({ error: "expected a string" }).regex(/^[A-Z_][A-Z0-9_]*$/, { error: "expected an environment variable name like VAULT_TOKEN" }),
            secretName: objectName,
            secretKey: z.string({ error: "expected a string" }).regex(/^[-._a-zA-Z0-9]+$/, { error: "expected a Secret data key" }),
        }),
        { error: "expected a list of { envName, secretName, secretKey }" },
    )
    .default([]);

const platform = z.enum(["openshift", "kubernetes"], {
    error: "expected one of 'openshift', 'kubernetes'",
});

const deliveryPattern = z.enum(DELIVERY_PATTERNS, {
    error: `expected one of ${DELIVERY_PATTERNS.map((p) => `'${p}'`).join(", ")}`,
});

const vaultSchema = z
    .strictObject({
        /** `deploy`: this program installs Vault from its Helm chart. `existing`: use a Vault that already runs. */
        mode: z.enum(["deploy", "existing"], { error: "expected one of 'deploy', 'existing'" }).default("deploy"),
        /** Server shape when deploying: `dev` (in-memory, seed parity) or `ha` (Raft, 3 replicas, TLS). */
        server: z.enum(["dev", "ha"], { error: "expected one of 'dev', 'ha'" }).default("dev"),
        namespace: namespaceName.default("vault"),
        releaseName: dnsLabel.default("vault"),
        chartVersion: z.string({ error: "expected a chart version string like '0.34.1'" }).regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { error: "expected a chart version like '0.34.1'" }).default(PINNED.vaultChart.version),
        haReplicas: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(3, { error: "expected at least 3 Raft replicas" }).max(7, { error: "expected at most 7 Raft replicas" }).default(3),
        ui: z.boolean({ error: "expected true or false" }).default(true),
        injector: z.boolean({ error: "expected true or false" }).default(true),
        csiProvider: z.boolean({ error: "expected true or false" }).default(true),
        /** Where `pulumi` reaches Vault's API (a Route/Ingress URL, or a port-forward). */
        address: url.optional(),
        /** Where pods reach Vault. Defaults to the chart's Service when deploying. */
        inClusterAddress: url.optional(),
        /** OpenShift Route host; empty lets OpenShift generate one. */
        routeHost: z.string().regex(DNS_SUBDOMAIN, { error: "expected a DNS host name" }).optional(),
        /** Plain Kubernetes: an Ingress host (no Ingress when unset). */
        ingressHost: z.string().regex(DNS_SUBDOMAIN, { error: "expected a DNS host name" }).optional(),
        ingressClassName: objectName.optional(),
        skipTlsVerify: z.boolean({ error: "expected true or false" }).default(false),
        /**
         * A PEM file (path relative to the project directory) with the CA that signed the certificate
         * `pulumi` sees at `address`, e.g. an OpenShift router's self-signed ingress CA in front of an
         * edge Route. Passed to the Vault provider as `caCertFile`.
         */
        caCertFile: z.string({ error: "expected a file path" }).min(1, { error: "expected a file path" }).optional(),
        /**
         * A Secret holding Vault's CA as `ca.crt`, present in every namespace whose pods talk to Vault
         * (distribute it with trust-manager or similar). Needed when Vault's TLS uses a private CA.
         */
        caSecretName: objectName.optional(),
        /** HA: Secret with `tls.crt`, `tls.key`, `ca.crt` for Vault's listener (e.g. from cert-manager). */
        tlsSecretName: objectName.default("vault-tls"),
        /** HA: an HCL `seal` stanza for auto-unseal (transit, awskms, gcpckms, azurekeyvault). */
        sealConfig: z.string({ error: "expected an HCL seal stanza as a string" }).regex(/^\s*seal\s+"[a-z]+"\s*\{[\s\S]*\}\s*$/, {
            error: "expected an HCL stanza like 'seal \"transit\" { ... }'",
        }).refine((hcl) => !/\b(token|secret_key|client_secret|access_key)\s*=/.test(hcl), {
            error: "expected no credentials in the seal stanza (it ends up in a ConfigMap): pass them through vault.sealSecretEnv, e.g. VAULT_TOKEN for transit",
        }).optional(),
        /** HA: env vars for the seal stanza from existing Secrets, e.g. the transit token as VAULT_TOKEN. */
        sealSecretEnv,
        /** HA: initialise Vault declaratively with PGP-encrypted shares and root token (docs/ha-vault.md). */
        bootstrap: vaultBootstrapSchema.optional(),
        /** HA: this `pulumi up` installs and initialises Vault only (no token needed); configure it on the next. */
        bootstrapOnly: z.boolean({ error: "expected true or false" }).default(false),
        /**
         * `false` (existing Vault only): another stack or team owns Vault's mounts, policies, auth roles and
         * database engine; this stack declares no Vault resource and uses the names they would have.
         */
        configure: z.boolean({ error: "expected true or false" }).default(true),
    })
    .prefault({});

const kubernetesAuthSchema = z
    .strictObject({
        mount: vaultMount.default("kubernetes"),
        /** The API server Vault calls for TokenReview; the in-cluster name, not a service IP. */
        kubernetesHost: url.default("https://kubernetes.default.svc"),
        /** Audience bound on every role; OpenShift's default API audience (seed). */
        audience: z.string().min(1, { error: "expected a non-empty audience" }).default("https://kubernetes.default.svc"),
        /** Vault outside the cluster: the API server's CA (PEM). */
        kubernetesCaCert: z.string({ error: "expected a PEM certificate" }).regex(PEM_CERTIFICATE, {
            error: "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)",
        }).optional(),
        /**
         * Whether Vault runs as a pod in this cluster (then it reviews tokens with its pod's own CA
         * and service account token). Always true for a Vault this stack deploys; an existing Vault
         * outside the cluster needs `kubernetesCaCert`, `kubernetesTokenReviewerJwt` and a
         * `kubernetesHost` it can reach instead.
         */
        vaultRunsInCluster: z.boolean({ error: "expected true or false" }).optional(),
    })
    .prefault({});

/**
 * The database's Vault and Kubernetes names follow `clusterName` unless set, so two stacks (or a
 * stack and a shared Vault) never meet on the seed's `keycloak-*` names by accident. With the default
 * cluster name they are the seed's, except the admin auth role (`keycloak-role` there).
 */
export function derivedDatabaseNames(d: {
    clusterName: string;
    adminSecretPath?: string;
    adminPolicyName?: string;
    adminAuthRole?: string;
    syncedSecretName?: string;
    connectionName?: string;
}): { adminSecretPath: string; adminPolicyName: string; adminAuthRole: string; syncedSecretName: string; connectionName: string } {
    return {
        adminSecretPath: d.adminSecretPath ?? `${d.clusterName}/config`,
        adminPolicyName: d.adminPolicyName ?? `${d.clusterName}-policy`,
        adminAuthRole: d.adminAuthRole ?? `${d.clusterName}-admin`,
        syncedSecretName: d.syncedSecretName ?? `${d.clusterName}-vault`,
        connectionName: d.connectionName ?? d.clusterName,
    };
}

const databaseSchema = z
    .strictObject({
        /** `stackgres`: this program declares the SGCluster. `existing`: Vault connects to `host`. */
        mode: z.enum(["stackgres", "existing"], { error: "expected one of 'stackgres', 'existing'" }).default("stackgres"),
        namespace: namespaceName.default("rhbk"),
        clusterName: dnsLabel.default("keycloak-postgresql"),
        instances: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(1, { error: "expected at least 1 instance" }).max(16, { error: "expected at most 16 instances" }).default(1),
        postgresVersion: postgresVersion.default("15"),
        volumeSize: z.string({ error: "expected a string" }).regex(QUANTITY, { error: "expected a Kubernetes quantity like '5Gi'" }).default("5Gi"),
        storageClass: objectName.optional(),
        /** Existing database host (existing mode) — StackGres mode derives the primary service. */
        host: z.string().regex(/^[A-Za-z0-9.-]+$/, { error: "expected a host name or IPv4 address" }).optional(),
        port: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(1, { error: "expected a port from 1 to 65535" }).max(65535, { error: "expected a port from 1 to 65535" }).default(5432),
        database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$-]*$/, { error: "expected a database name" }).default("postgres"),
        /** libpq sslmode of Vault's connection and the sample apps; StackGres serves TLS by default. `disable` sends passwords in clear. */
        sslMode: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"], { error: "expected a libpq sslmode" }).default("require"),
        kvMount: vaultMount.default("kv-v2"),
        /** Default `<clusterName>/config` (see {@link derivedDatabaseNames}). */
        adminSecretPath: vaultPath.optional(),
        /** Default `<clusterName>-policy`. */
        adminPolicyName: dnsLabel.optional(),
        /** Default `<clusterName>-admin` (the seed's was `keycloak-role`). */
        adminAuthRole: dnsLabel.optional(),
        /**
         * Service accounts the admin role binds besides the ones this stack creates for the admin
         * sync and the debug workloads. `default` would let every pod without a service account of
         * its own read the superuser password: refused in production.
         */
        adminServiceAccounts: z.array(objectName, { error: "expected a list of service account names" }).default([]),
        adminTokenTtl: duration(TOKEN_TTL_BOUNDS.min, TOKEN_TTL_BOUNDS.max).default(86400),
        /** The Secret the Vault Secrets Operator writes; must differ from `clusterName` (StackGres owns that one). Default `<clusterName>-vault`. */
        syncedSecretName: objectName.optional(),
        refreshAfter: duration(REFRESH_BOUNDS.min, REFRESH_BOUNDS.max).default(30),
        databaseMount: vaultMount.default("database"),
        /** Default: `clusterName`. */
        connectionName: dnsLabel.optional(),
        /** The PostgreSQL role Vault logs in as: CREATEROLE, never the superuser. */
        vaultAdminRole: pgRole.default("vault_admin"),
        /** Rotate the Vault admin role's password right after the connection is written, so only Vault knows it. */
        rotateVaultAdminPassword: z.boolean({ error: "expected true or false" }).default(false),
    })
    .transform((d) => ({ ...d, ...derivedDatabaseNames(d) }))
    .prefault({});

const applicationSchema = z.strictObject({
    /** The application's name; also the Vault static role name. */
    name: dnsLabel,
    namespace: namespaceName,
    serviceAccount: objectName,
    /** The PostgreSQL role Vault manages for this application. */
    databaseRole: pgRole,
    rotationPeriod: duration(ROTATION_PERIOD_BOUNDS.min, ROTATION_PERIOD_BOUNDS.max).default(86400),
    delivery: deliveryPattern.default("direct"),
    tokenTtl: duration(TOKEN_TTL_BOUNDS.min, TOKEN_TTL_BOUNDS.max).default(3600),
    /** Image of the application's sample Deployment (the fetcher needs `curl` and `sed`; the check needs `psql`). */
    image: pinnedImage.optional(),
    /** Create the sample Deployment that reads and uses the credentials. */
    deployWorkload: z.boolean({ error: "expected true or false" }).default(true),
});

const externalApplicationSchema = z.strictObject({
    /** The Vault static role name the other stack creates on this stack's connection. */
    name: dnsLabel,
    /** The PostgreSQL role that static role manages. */
    databaseRole: pgRole,
});

const debugWorkloadsSchema = z
    .strictObject({
        /** The seed's three debug Deployments reading the admin secret (CSI, injector, direct). */
        csi: z.boolean({ error: "expected true or false" }).default(false),
        injector: z.boolean({ error: "expected true or false" }).default(false),
        direct: z.boolean({ error: "expected true or false" }).default(false),
        namespace: namespaceName.optional(),
        image: pinnedImage.default(PINNED.debugImage),
    })
    .prefault({});

/** An OLM ClusterServiceVersion to pin (an object name), or `false` for no pin. */
const olmCsvPin = z.union([objectName, z.literal(false)], { error: "expected a CSV name like 'vault-secrets-operator.v1.4.1', or false for no pin" });

const operatorsSchema = z
    .strictObject({
        /** StackGres OLM catalog; picks the package name (components/versions.ts PINNED.stackgres). */
        stackgresCatalog: z.enum(["certified-operators", "community-operators", "redhat-marketplace"], {
            error: "expected one of 'certified-operators', 'community-operators', 'redhat-marketplace'",
        }).default("certified-operators"),
        installPlanApproval: z.enum(["Automatic", "Manual"], { error: "expected 'Automatic' or 'Manual'" }).default("Automatic"),
        /**
         * OpenShift: create the OperatorGroup in openshift-cluster-csi-drivers. Set false when one
         * exists already (another CSI operator): two OperatorGroups in a namespace break OLM for both.
         */
        createCsiOperatorGroup: z.boolean({ error: "expected true or false" }).default(true),
        /**
         * OpenShift: the Vault Secrets Operator CSV to pin (Manual approval; the wait Job approves
         * only this CSV's InstallPlan), or `false` to follow the channel with `installPlanApproval`.
         * Default: components/versions.ts.
         */
        vaultSecretsOperatorCsv: olmCsvPin.optional(),
        /** OpenShift: the StackGres CSV to pin, or `false`. Default: the catalog's CSV prefix + the pinned version. */
        stackgresCsv: olmCsvPin.optional(),
        /**
         * `false`: the cluster's platform team installed the operators; the stack declares no chart,
         * Subscription or OperatorGroup, only gates that wait for their CRDs to be Established.
         */
        install: z.boolean({ error: "expected true or false" }).default(true),
    })
    .superRefine((o, ctx) => {
        const expectPrefix = (key: "vaultSecretsOperatorCsv" | "stackgresCsv", prefix: string) => {
            const v = o[key];
            if (typeof v === "string" && !v.startsWith(`${prefix}.v`)) {
                ctx.addIssue({ code: "custom", path: [key], message: `expected a CSV of the package, named '${prefix}.v<version>'` });
            }
        };
        expectPrefix("vaultSecretsOperatorCsv", PINNED.vaultSecretsOperator.olmPackage);
        expectPrefix("stackgresCsv", PINNED.stackgres.csvPrefixByCatalog[o.stackgresCatalog]);
    })
    .prefault({});

/** The raw (pre-default) shape of all `vaultkit:*` keys. */
export const rawConfigSchema = z.strictObject({
    platform: platform,
    production: z.boolean({ error: "expected true or false" }).default(false),
    /** Pulumi `protect` on what holds state (KV admin credentials, mounts, auth method, SGCluster). Default: `production`. */
    protect: z.boolean({ error: "expected true or false" }).optional(),
    /** `retainOnDelete` on the Vault mounts, auth method and admin secret. Default: true with an existing Vault (it is not this stack's). */
    retainOnDelete: z.boolean({ error: "expected true or false" }).optional(),
    kubeContext: z.string().min(1).optional(),
    /**
     * Pinned image with `sh` and `kubectl` for the Jobs that wait for operators, approve pinned
     * InstallPlans and check StackGres scripts (and the HA bootstrap, unless
     * `vault.bootstrap.kubectlImage`). Default per platform: components/versions.ts `kubectlImages`.
     */
    kubectlImage: pinnedImage.optional(),
    vault: vaultSchema,
    vaultToken: z.string().min(1, { error: "expected a non-empty token" }).optional(),
    /** Vault outside the cluster: a token-reviewer service account token for Kubernetes auth. */
    kubernetesTokenReviewerJwt: z.string().min(20, { error: "expected a service account token (a JWT)" }).optional(),
    /** Existing database: the password of `database.vaultAdminRole` (StackGres mode generates it). */
    databaseAdminPassword: z.string().min(16, { error: "expected a password of at least 16 characters" }).optional(),
    kubernetesAuth: kubernetesAuthSchema,
    database: databaseSchema,
    applications: z.array(applicationSchema, { error: "expected a list of applications" }).default([]),
    /**
     * Applications another stack declares on this stack's database connection (docs/packaging.md,
     * "Second team"): only their static role names join the connection's `allowed_roles`, and in
     * StackGres mode their PostgreSQL roles are created for Vault to manage. Nothing else of theirs
     * (static role, policy, auth role, service account, workload) is declared here.
     */
    externalApplications: z.array(externalApplicationSchema, { error: "expected a list of { name, databaseRole }" }).default([]),
    debugWorkloads: debugWorkloadsSchema,
    operators: operatorsSchema,
});

type Parsed = z.output<typeof rawConfigSchema>;

/** The validated configuration of one stack. */
export interface StackConfig extends Omit<Parsed, "vaultToken" | "databaseAdminPassword" | "kubernetesTokenReviewerJwt" | "vault" | "kubernetesAuth" | "protect" | "retainOnDelete"> {
    /** Resolved: `protect` on what holds state (default: `production`). */
    protect: boolean;
    /** Resolved: `retainOnDelete` on the Vault mounts, auth method and admin secret (default: an existing Vault). */
    retainOnDelete: boolean;
    /** The stack name (`pulumi stack`), used in names and labels. */
    stackName: string;
    vault: Parsed["vault"] & {
        /** Where pods reach Vault (resolved). */
        inClusterAddress: string;
    };
    kubernetesAuth: Parsed["kubernetesAuth"] & {
        /** Whether Vault runs as a pod in this cluster (resolved: always for a deployed Vault). */
        vaultRunsInCluster: boolean;
    };
    /** Token for an existing Vault (from `vaultkit:vaultToken` or `VAULT_TOKEN`); never printed. */
    vaultToken?: string;
    /** Password of the Vault admin role in an existing database; never printed. */
    databaseAdminPassword?: string;
    /** Token-reviewer JWT for a Vault outside the cluster; never printed. */
    kubernetesTokenReviewerJwt?: string;
}

export type ApplicationConfig = StackConfig["applications"][number];
export type { DeliveryPattern };
export type Platform = z.output<typeof platform>;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** One problem with one key. */
export interface ConfigProblem {
    /** Full key path, e.g. `vaultkit:database.namespace` or `vaultkit:applications[0].name`. */
    key: string;
    /** What was expected. */
    expected: string;
    /** What was given (masked for secret keys). */
    given: string;
}

/** Thrown before any resource is registered when the stack's config is invalid. */
export class ConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(
            `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.expected}; given ${p.given}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

function keyOf(path: ReadonlyArray<PropertyKey>): string {
    let out = CONFIG_NAMESPACE + ":";
    path.forEach((seg, i) => {
        if (typeof seg === "number") {
            out += `[${seg}]`;
        } else {
            out += (i === 0 ? "" : ".") + String(seg);
        }
    });
    return out;
}

const MISSING = "nothing (the key is missing)";

function describeGiven(raw: unknown, path: ReadonlyArray<PropertyKey>): string {
    if (path.length > 0 && SECRET_KEYS.has(String(path[0]))) {
        return "[secret]";
    }
    let v: unknown = raw;
    for (const seg of path) {
        if (v === null || typeof v !== "object") {
            v = undefined;
            break;
        }
        v = (v as Record<PropertyKey, unknown>)[seg];
    }
    if (v === undefined) {
        return MISSING;
    }
    const text = JSON.stringify(v);
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = row;
    }
    return prev[b.length]!;
}

/** The object keys the schema allows at `path` (empty when `path` is not an object). */
function keysAllowedAt(path: ReadonlyArray<PropertyKey>): string[] {
    type Def = { type: string; innerType?: Node; in?: Node; element?: Node; shape?: Record<string, Node> };
    type Node = { _zod: { def: Def } };
    const unwrap = (n: Node | undefined): Node | undefined => {
        while (n && ["default", "prefault", "optional", "nullable", "readonly", "pipe"].includes(n._zod.def.type)) {
            n = n._zod.def.type === "pipe" ? n._zod.def.in : n._zod.def.innerType;
        }
        return n;
    };
    let node = unwrap(rawConfigSchema as unknown as Node);
    for (const seg of path) {
        const def = node?._zod.def;
        node = unwrap(typeof seg === "number" ? (def?.type === "array" ? def.element : undefined) : def?.type === "object" ? def.shape?.[String(seg)] : undefined);
    }
    const def = node?._zod.def;
    return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** What to say about a key the schema does not know: a `--path` hint or the nearest known key. */
function unknownKeyHint(path: ReadonlyArray<PropertyKey>, key: string): string {
    const known = keysAllowedAt(path);
    const head = key.split(/[.[]/, 1)[0]!;
    if (path.length === 0 && head !== key && known.includes(head)) {
        return `expected a key inside '${head}': '${key}' was set as one flat key; use \`pulumi config set --path ${CONFIG_NAMESPACE}:${key} <value>\` (or nest it under ${CONFIG_NAMESPACE}:${head} in the stack file)`;
    }
    const nearest = known
        .map((k) => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) }))
        .filter(({ d }) => d <= Math.max(2, Math.floor(key.length / 4)))
        .sort((a, b) => a.d - b.d)[0];
    return nearest
        ? `no such key; did you mean '${nearest.k}'? (the README's configuration reference lists every key)`
        : "no such key (check the spelling against the README's configuration reference)";
}

function problemsFrom(error: z.ZodError, raw: unknown): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of error.issues) {
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) {
                problems.push({ key: keyOf([...issue.path, k]), expected: unknownKeyHint(issue.path, k), given: describeGiven(raw, [...issue.path, k]) });
            }
            continue;
        }
        const given = describeGiven(raw, issue.path);
        // A required key that is absent: say so, rather than "expected a string".
        const expected = issue.code === "invalid_type" && given === MISSING ? `a value is required here (${issue.message})` : issue.message;
        problems.push({ key: keyOf(issue.path), expected, given });
    }
    return problems;
}

/**
 * For the cross-field rules when the schema found problems: a copy of the input with each offending
 * value taken out (so its default applies), repeated until the schema accepts it. A required key
 * that is missing takes its parent out with it (an application without a namespace leaves the list).
 * Returns the parsed copy, the keys taken out, and for each list the original index of every element
 * left, so problems found in the copy name the user's own indexes; undefined when nothing is left
 * to check (a required top-level key such as platform is invalid).
 */
function withoutInvalid(raw: Record<string, unknown>): { data: Parsed; copy: Record<string, unknown>; removed: string[]; kept: Map<string, number[]> } | undefined {
    const copy = structuredClone(raw);
    const removed: string[] = [];
    const kept = new Map<string, number[]>();
    const at = (path: ReadonlyArray<PropertyKey>): unknown => path.reduce<unknown>((v, seg) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), copy);
    const originalKey = (path: ReadonlyArray<PropertyKey>): string =>
        keyOf(path.map((seg, i) => (typeof seg === "number" ? (kept.get(keyOf(path.slice(0, i)))?.[seg] ?? seg) : seg)));
    for (let round = 0; round < 50; round++) {
        const result = rawConfigSchema.safeParse(copy);
        if (result.success) {
            return { data: result.data, copy, removed, kept };
        }
        const paths = new Map<string, PropertyKey[]>();
        for (const issue of result.error.issues) {
            const found = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [[...issue.path]];
            for (let p of found) {
                while (p.length > 0 && at(p) === undefined) p = p.slice(0, -1); // missing: take the parent
                if (p.length === 0) return undefined;
                paths.set(keyOf(p), p);
            }
        }
        // Keys first, then list elements from the highest index down, so every path stays valid.
        const index = (p: PropertyKey[]) => (typeof p.at(-1) === "number" ? (p.at(-1) as number) : Number.MAX_SAFE_INTEGER);
        const ordered = [...paths.values()].sort((a, b) => index(b) - index(a));
        for (const p of ordered) {
            removed.push(originalKey(p));
            const parent = at(p.slice(0, -1)) as Record<PropertyKey, unknown> | unknown[];
            const last = p.at(-1)!;
            if (Array.isArray(parent) && typeof last === "number") {
                const listKey = keyOf(p.slice(0, -1));
                const indexes = kept.get(listKey) ?? parent.map((_, i) => i);
                indexes.splice(last, 1);
                kept.set(listKey, indexes);
                parent.splice(last, 1);
            } else {
                delete (parent as Record<PropertyKey, unknown>)[last];
            }
        }
    }
    return undefined;
}

/** Keys whose value decides which cross-field rules apply; when one is invalid, those rules are not run. */
const SELECTOR_KEYS = ["production", "vault", "vault.mode", "vault.server", "database", "database.mode"].map((k) => `${CONFIG_NAMESPACE}:${k}`);

/**
 * The cross-field problems of input the schema refused, checked on `withoutInvalid`'s copy: problems on
 * (or naming) a key that was taken out are left to the schema's own message.
 */
function crossFieldProblemsDespite(raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    const repaired = withoutInvalid(raw);
    if (!repaired || repaired.removed.some((k) => SELECTOR_KEYS.includes(k))) {
        return [];
    }
    const related = (a: string, b: string) => a === b || a.startsWith(b + ".") || a.startsWith(b + "[") || b.startsWith(a + ".") || b.startsWith(a + "[");
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return crossFieldProblems(repaired.data, repaired.copy, env)
        .map((p) => {
            let { key, expected } = p;
            for (const [listKey, indexes] of repaired.kept) {
                const short = listKey.slice(CONFIG_NAMESPACE.length + 1);
                const renumber = (text: string, pattern: RegExp) => text.replace(pattern, (_m, pre: string, i: string) => `${pre}[${indexes[Number(i)] ?? i}]`);
                key = renumber(key, new RegExp(`^(${escape(listKey)})\\[(\\d+)\\]`));
                expected = renumber(expected, new RegExp(`(\\b${escape(short)})\\[(\\d+)\\]`, "g"));
            }
            return { ...p, key, expected };
        })
        .filter((p) => !repaired.removed.some((r) => related(p.key, r) || new RegExp(`\\b${escape(r.slice(CONFIG_NAMESPACE.length + 1))}(?![\\w\\[.])`).test(p.expected)));
}

/** Secret keys given as plain values: refused, since a plain value is stored readable in the stack file. */
function plaintextSecretProblems(raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    if (!env.isSecret) {
        return [];
    }
    return [...SECRET_KEYS]
        .filter((k) => raw[k] !== undefined && !env.isSecret!(k))
        .map((k) => ({
            key: keyOf([k]),
            expected: `expected a secret value: \`pulumi config set --secret ${CONFIG_NAMESPACE}:${k} <value>\` (a plain value is stored readable in Pulumi.<stack>.yaml, which is usually committed)`,
            given: "a plain value (not shown)",
        }));
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules
// ---------------------------------------------------------------------------------------------

function crossFieldProblems(c: Parsed, raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    const p: ConfigProblem[] = [];
    const add = (path: PropertyKey[], expected: string) => p.push({ key: keyOf(path), expected, given: describeGiven(raw, path) });

    if (c.production && c.vault.mode === "deploy" && c.vault.server === "dev") {
        add(["vault", "server"], "expected 'ha' in a stack marked production (vaultkit:production is true): Vault dev mode keeps everything in memory with a single unsealed node");
    }
    if (!c.vault.configure) {
        if (c.vault.mode !== "existing") {
            add(["vault", "configure"], "expected true when vault.mode is 'deploy' (this stack configures the Vault it deploys); false needs vault.mode 'existing'");
        }
        // Nothing in this stack talks to Vault's API: keys only the Vault configuration uses are mistakes.
        const unused = "when vault.configure is false (this stack configures nothing in Vault; the team that owns Vault's configuration sets it)";
        if (c.vaultToken) {
            add(["vaultToken"], `expected no token ${unused}`);
        }
        if (c.kubernetesTokenReviewerJwt) {
            add(["kubernetesTokenReviewerJwt"], `expected no token reviewer ${unused}`);
        }
        if (c.kubernetesAuth.kubernetesCaCert) {
            add(["kubernetesAuth", "kubernetesCaCert"], `expected no API CA ${unused}`);
        }
    }
    if (!c.operators.install) {
        for (const k of ["vaultSecretsOperatorCsv", "stackgresCsv"] as const) {
            if (c.operators[k] !== undefined) {
                add(["operators", k], "expected no CSV pin when operators.install is false (the platform team chose what is installed)");
            }
        }
    }
    if (c.vault.mode === "existing") {
        if (!c.vault.address) {
            add(["vault", "address"], "expected the URL of the existing Vault when vault.mode is 'existing'");
        }
        if (c.vault.configure && !c.vaultToken && !env.vaultToken) {
            p.push({
                key: keyOf(["vaultToken"]),
                expected: "expected a Vault token when vault.mode is 'existing': `pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN in the environment",
                given: "nothing (the key is missing)",
            });
        }
    } else {
        if (!c.vault.address) {
            add(["vault", "address"], "expected the URL where `pulumi` reaches the deployed Vault (its Route/Ingress, or a port-forward like http://127.0.0.1:8200)");
        }
        if (c.vault.server === "dev" && c.vaultToken) {
            add(["vaultToken"], "expected no token for a dev-mode Vault (the program generates its root token)");
        }
        if (c.vault.server === "ha" && !c.vault.bootstrapOnly && !c.vaultToken && !env.vaultToken) {
            p.push({
                key: keyOf(["vaultToken"]),
                expected: "expected an admin token for the HA Vault once it is initialised (`pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN), or vault.bootstrapOnly true for the first up; see docs/ha-vault.md",
                given: "nothing (the key is missing)",
            });
        }
    }
    if (c.vault.mode === "deploy" && c.vault.server === "ha") {
        if (c.vault.bootstrapOnly && !c.vault.bootstrap) {
            add(["vault", "bootstrapOnly"], "expected vault.bootstrap (the PGP public keys and threshold) with bootstrapOnly: without them nothing initialises Vault");
        }
        if (!c.vault.caSecretName) {
            add(["vault", "caSecretName"], "expected the name of a Secret with Vault's CA (ca.crt) in the consuming namespaces: HA Vault serves TLS, and pods must verify it");
        }
        if (c.production && !c.vault.sealConfig) {
            add(["vault", "sealConfig"], "expected an auto-unseal seal stanza in a stack marked production: with Shamir keys every pod restart waits for key holders (docs/ha-vault.md)");
        }
        if (c.vault.sealSecretEnv.length > 0 && !c.vault.sealConfig) {
            add(["vault", "sealSecretEnv"], "expected vault.sealConfig: these variables only feed a seal stanza");
        }
    } else {
        for (const k of ["bootstrap", "bootstrapOnly", "sealSecretEnv"] as const) {
            const v = c.vault[k];
            if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) {
                add(["vault", k], "expected only with vault.mode 'deploy' and vault.server 'ha' (a dev Vault initialises itself; an existing one already is)");
            }
        }
    }
    kubernetesAuthProblems(c, add);
    if (c.platform !== "openshift" && c.vault.routeHost) {
        add(["vault", "routeHost"], "expected no Route host on platform 'kubernetes' (Routes are OpenShift objects; use vault.ingressHost)");
    }
    if (c.platform === "openshift" && c.vault.ingressHost) {
        add(["vault", "ingressHost"], "expected no Ingress host on platform 'openshift' (use vault.routeHost)");
    }
    if (c.database.mode === "existing" && !c.database.host) {
        add(["database", "host"], "expected the PostgreSQL host when database.mode is 'existing'");
    }
    if (c.vault.configure && c.database.mode === "existing" && connectionRoles(c).staticRoleNames.length > 0 && !c.databaseAdminPassword) {
        p.push({
            key: keyOf(["databaseAdminPassword"]),
            expected: `expected the password of the existing '${c.database.vaultAdminRole}' role when database.mode is 'existing': \`pulumi config set --secret vaultkit:databaseAdminPassword ...\``,
            given: "nothing (the key is missing)",
        });
    }
    if (!c.vault.configure && c.database.mode === "existing" && c.databaseAdminPassword) {
        add(["databaseAdminPassword"], "expected no password when vault.configure is false and database.mode is 'existing' (only Vault's database connection uses it, and its owner configures that)");
    }
    if (c.vault.configure && c.database.mode === "stackgres" && c.databaseAdminPassword) {
        add(["databaseAdminPassword"], "expected no password when database.mode is 'stackgres' (the program generates it and StackGres creates the role)");
    }
    if (!c.vault.configure && c.database.mode === "stackgres" && !c.databaseAdminPassword) {
        p.push({
            key: keyOf(["databaseAdminPassword"]),
            expected: `expected the password Vault's database connection uses for '${c.database.vaultAdminRole}' when vault.configure is false and database.mode is 'stackgres' (its owner set it; StackGres creates the role with it): \`pulumi config set --secret vaultkit:databaseAdminPassword ...\``,
            given: "nothing (the key is missing)",
        });
    }
    if (c.database.mode === "stackgres" && c.database.host) {
        add(["database", "host"], "expected no host when database.mode is 'stackgres' (the primary service name is derived from clusterName)");
    }
    if (c.database.mode === "stackgres" && c.database.port !== 5432) {
        add(["database", "port"], "expected 5432 when database.mode is 'stackgres' (the StackGres primary Service always listens on 5432)");
    }
    if (c.database.syncedSecretName === c.database.clusterName) {
        add(["database", "syncedSecretName"], `expected a name different from database.clusterName ('${c.database.clusterName}'): StackGres creates and owns a Secret of that name`);
    }
    if (c.production && c.vault.skipTlsVerify) {
        add(["vault", "skipTlsVerify"], "expected false in a stack marked production");
    }
    p.push(...vaultTlsProblems(c, raw, env));
    p.push(...identityProblems(c));
    p.push(...otherNamespaceProblems(env.otherConfigKeys ?? []));

    // Static role names and database roles are one namespace each on the connection, whichever list declares them.
    const seen = new Map<string, string>();
    const seenRoles = new Map<string, string>();
    const entries = [
        ...c.applications.map((app, i) => ({ list: "applications", i, app })),
        ...c.externalApplications.map((app, i) => ({ list: "externalApplications", i, app })),
    ];
    for (const { list, i, app } of entries) {
        const prev = seen.get(app.name);
        if (prev !== undefined) {
            add([list, i, "name"], `expected a unique application name ('${app.name}' is already used by ${prev})`);
        }
        seen.set(app.name, `${list}[${i}]`);
        const prevRole = seenRoles.get(app.databaseRole);
        if (prevRole !== undefined) {
            add([list, i, "databaseRole"], `expected a database role no other application uses ('${app.databaseRole}' belongs to ${prevRole})`);
        }
        seenRoles.set(app.databaseRole, `${list}[${i}]`);
        if (app.databaseRole === c.database.vaultAdminRole || (Object.values(STACKGRES_USERNAMES) as string[]).includes(app.databaseRole)) {
            add([list, i, "databaseRole"], "expected an application role, not the superuser, replication, authenticator or Vault admin role");
        }
    }
    c.applications.forEach((app, i) => {
        const missing = missingVaultComponent(app.delivery, c.vault, raw);
        if (missing) {
            add(["applications", i, "delivery"], `expected a pattern whose Vault component ${missing}`);
        }
    });
    for (const pattern of ["csi", "injector"] as const) {
        const missing = c.debugWorkloads[pattern] ? missingVaultComponent(pattern, c.vault, raw) : undefined;
        if (missing) {
            add(["debugWorkloads", pattern], `expected the ${pattern} debug workload only where its Vault component ${missing}`);
        }
    }
    if (c.production && c.database.adminServiceAccounts.includes("default")) {
        add(
            ["database", "adminServiceAccounts"],
            "expected no 'default' in a stack marked production: every pod in the bound namespaces that names no service account of its own could read the PostgreSQL superuser password (the admin sync logs in with a service account this stack creates)",
        );
    }
    existingVaultMountProblems(c, raw, add);
    if (c.production && (c.debugWorkloads.csi || c.debugWorkloads.injector || c.debugWorkloads.direct)) {
        add(["debugWorkloads"], "expected no debug workloads in a stack marked production (they hold the database admin credentials, readable by anyone with pods/exec in their namespace)");
    }
    return p;
}

/** A key's value as the user wrote it (undefined when left to the default). */
function rawValue(raw: Record<string, unknown>, path: string[]): unknown {
    let v: unknown = raw;
    for (const seg of path) {
        v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[seg] : undefined;
    }
    return v;
}

/**
 * The CSI provider and the agent injector come with Vault's chart: a deployed Vault has them when
 * switched on; with an existing Vault nothing here installs them, so the user must say they run in
 * the cluster (by setting the switch to true explicitly). Returns why a pattern cannot work, if so.
 */
function missingVaultComponent(pattern: string, v: Parsed["vault"], raw: Record<string, unknown>): string | undefined {
    if (pattern !== "csi" && pattern !== "injector") {
        return undefined;
    }
    const key = pattern === "csi" ? "csiProvider" : "injector";
    const what = pattern === "csi" ? "Vault CSI provider" : "Vault agent injector";
    if (v.mode === "deploy") {
        return v[key] ? undefined : `is enabled (vault.${key} is false)`;
    }
    return rawValue(raw, ["vault", key]) === true
        ? undefined
        : `runs in the cluster: with vault.mode 'existing' nothing here installs the ${what} (only a Vault deployed from its chart does), so the pods would never get their secret; ` +
              `set vault.${key} true if it is installed`;
}

/**
 * An existing Vault is usually shared: its `kubernetes`, `kv-v2` and `database` paths belong to
 * someone already (Vault refuses a second mount there), and two stacks must not share one. This
 * stack enables and owns these three, so their paths must be chosen, not defaulted.
 */
function existingVaultMountProblems(c: Parsed, raw: Record<string, unknown>, add: (path: PropertyKey[], expected: string) => void): void {
    if (c.vault.mode !== "existing" || !c.vault.configure) {
        return;
    }
    const mounts: [string[], string, string][] = [
        [["kubernetesAuth", "mount"], "the Kubernetes auth method", "kubernetes"],
        [["database", "kvMount"], "the KV v2 engine of the admin credentials", "kv"],
        [["database", "databaseMount"], "the database secrets engine", "database"],
    ];
    for (const [path, what, example] of mounts) {
        if (rawValue(raw, path) === undefined) {
            add(
                path,
                `expected a mount path chosen for this stack when vault.mode is 'existing' (e.g. '<stack>-${example}'): this stack enables ${what} there and owns it, ` +
                    "and a shared Vault's default path is usually taken already (Vault refuses a second mount) or another stack's",
            );
        }
    }
}

/** The in-cluster API server names, which resolve only inside a cluster. */
function isInClusterHost(url: string): boolean {
    const host = new URL(url).hostname;
    return host === "kubernetes.default" || host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
}

/** Whether Vault runs as a pod in this cluster: always when deployed here; an existing one only when said so. */
export function vaultRunsInCluster(c: { vault: { mode: string }; kubernetesAuth: { vaultRunsInCluster?: boolean } }): boolean {
    return c.vault.mode === "deploy" || c.kubernetesAuth.vaultRunsInCluster === true;
}

/**
 * Kubernetes auth needs a CA and a token to review logins. A pod has both in
 * /var/run/secrets/kubernetes.io/serviceaccount; a Vault outside the cluster has neither, and
 * writing `auth/<mount>/config` without them fails (`open .../ca.crt: no such file or directory`).
 */
function kubernetesAuthProblems(c: Parsed, add: (path: PropertyKey[], expected: string) => void): void {
    const k = c.kubernetesAuth;
    const inClusterHint = "or set vaultkit:kubernetesAuth.vaultRunsInCluster true if this Vault runs as a pod in this cluster";
    if (c.vault.mode === "deploy") {
        if (k.vaultRunsInCluster === false) {
            add(["kubernetesAuth", "vaultRunsInCluster"], "expected true or nothing: a Vault this stack deploys runs in the cluster");
        }
        if (c.kubernetesTokenReviewerJwt || k.kubernetesCaCert) {
            add(
                [c.kubernetesTokenReviewerJwt ? "kubernetesTokenReviewerJwt" : "kubernetesAuth"],
                "expected no token reviewer or API CA for a Vault deployed in the cluster (it uses its own pod's token and CA)",
            );
        }
    } else if (c.vault.configure && !vaultRunsInCluster(c)) {
        if (!k.kubernetesCaCert) {
            add(
                ["kubernetesAuth", "kubernetesCaCert"],
                "expected the API server's CA (PEM) for an existing Vault outside the cluster, which has no pod CA to verify TokenReview calls with " +
                    `(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d); ${inClusterHint}`,
            );
        }
        if (!c.kubernetesTokenReviewerJwt) {
            add(
                ["kubernetesTokenReviewerJwt"],
                "expected a token of a service account bound to system:auth-delegator for an existing Vault outside the cluster, which has no pod token to review logins with " +
                    `(pulumi config set --secret vaultkit:kubernetesTokenReviewerJwt ...); ${inClusterHint}`,
            );
        }
        if (isInClusterHost(k.kubernetesHost)) {
            add(
                ["kubernetesAuth", "kubernetesHost"],
                `expected the API server's URL as an existing Vault outside the cluster reaches it (${new URL(k.kubernetesHost).hostname} resolves only inside a cluster; ` +
                    `kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'); ${inClusterHint}`,
            );
        }
    }
}

/** Go's strconv.ParseBool spellings of false: what leaves the Vault provider verifying TLS. */
const GO_FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * TLS from `pulumi` to Vault. The Vault provider treats `skipTlsVerify: false` as unset and then
 * reads VAULT_SKIP_VERIFY, so the environment could switch verification off behind the config's back.
 */
function vaultTlsProblems(c: Parsed, raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    const p: ConfigProblem[] = [];
    const skip = env.vaultSkipVerify;
    if (c.production && skip !== undefined && skip !== "" && !GO_FALSE.has(skip)) {
        p.push({
            key: "VAULT_SKIP_VERIFY",
            expected: "expected it unset in a stack marked production (vaultkit:production is true): the Vault provider reads it and stops verifying Vault's certificate; trust the CA with vaultkit:vault.caCertFile instead",
            given: JSON.stringify(skip),
        });
    }
    const file = c.vault.caCertFile;
    if (file !== undefined) {
        if (c.vault.skipTlsVerify) {
            p.push({ key: keyOf(["vault", "caCertFile"]), expected: "expected either a CA file or vault.skipTlsVerify, not both", given: describeGiven(raw, ["vault", "caCertFile"]) });
        }
        if (env.readFile) {
            let text: string | undefined;
            let error = "";
            try {
                text = env.readFile(file);
            } catch (e) {
                error = (e as Error).message;
            }
            if (text === undefined || !PEM_CERTIFICATE.test(text)) {
                p.push({
                    key: keyOf(["vault", "caCertFile"]),
                    expected:
                        `expected a readable PEM file (relative to the project directory) with the CA that signed the certificate served at vault.address${error ? ` (${error})` : " (it holds no PEM certificate)"}; ` +
                        "for an OpenShift edge Route: oc -n openshift-ingress-operator get secret router-ca -o jsonpath='{.data.tls\\.crt}' | base64 -d > ingress-ca.crt",
                    given: describeGiven(raw, ["vault", "caCertFile"]),
                });
            }
        }
    }
    return p;
}

/**
 * Vault's Kubernetes auth binds roles to (namespace, ServiceAccount). Two roles binding the same
 * pair let either workload log in as the other, so every application needs a pair of its own,
 * never one the admin credentials role binds.
 */
function identityProblems(c: Parsed): ConfigProblem[] {
    const p: ConfigProblem[] = [];
    const admin = adminRoleBinding(c);
    const seen = new Map<string, number>();
    c.applications.forEach((app, i) => {
        const key = keyOf(["applications", i, "serviceAccount"]);
        const given = JSON.stringify(`${app.namespace}/${app.serviceAccount}`);
        const pair = `${app.namespace}/${app.serviceAccount}`;
        const prev = seen.get(pair);
        if (prev !== undefined) {
            p.push({
                key,
                expected: `expected a namespace and service account of its own: applications[${i}] ('${app.name}') and applications[${prev}] ('${c.applications[prev]!.name}') both run as ${pair}, so each could log in as the other and read its credentials`,
                given,
            });
        } else {
            seen.set(pair, i);
        }
        if (admin.namespaces.includes(app.namespace) && admin.serviceAccounts.includes(app.serviceAccount)) {
            p.push({
                key,
                expected:
                    `expected an identity the admin role does not bind: applications[${i}] ('${app.name}') runs as ${pair}, which the admin credentials role ` +
                    `'${c.database.adminAuthRole}' binds (service accounts ${admin.serviceAccounts.join(", ")} in ${admin.namespaces.join(", ")}), so it could read the PostgreSQL superuser password`,
                given,
            });
        }
    });
    return p;
}

/** What to set instead of provider config this program never reads. */
const INSTEAD_OF: Record<string, string> = {
    "kubernetes:context": "vaultkit:kubeContext",
    "kubernetes:kubeconfig": "the KUBECONFIG environment variable (and vaultkit:kubeContext)",
    "vault:address": "vaultkit:vault.address",
    "vault:token": "vaultkit:vaultToken (or VAULT_TOKEN)",
    "vault:caCertFile": "vaultkit:vault.caCertFile",
    "vault:skipTlsVerify": "vaultkit:vault.skipTlsVerify",
};

/**
 * The program builds its Kubernetes and Vault providers explicitly from `vaultkit:` keys, and
 * explicit providers ignore Pulumi's `kubernetes:*` / `vault:*` stack config: a `kubernetes:context`
 * there would silently deploy to kubectl's current context.
 */
function otherNamespaceProblems(keys: string[]): ConfigProblem[] {
    return keys
        .filter((k) => k.startsWith("kubernetes:") || k.startsWith("vault:"))
        .sort()
        .map((k) => ({
            key: k,
            expected: `expected ${INSTEAD_OF[k] ?? "a vaultkit: key"} instead: this program configures its ${k.split(":")[0]} provider explicitly, which ignores '${k}'`,
            given: "a value in the stack's config",
        }));
}

/**
 * What the database connection serves: the static roles it allows (this stack's applications and
 * the ones other stacks declare) and the PostgreSQL roles they manage, in declaration order.
 */
export function connectionRoles(c: Pick<Parsed, "applications" | "externalApplications">): { staticRoleNames: string[]; databaseRoles: string[] } {
    const all = [...c.applications, ...c.externalApplications];
    return { staticRoleNames: all.map((a) => a.name), databaseRoles: all.map((a) => a.databaseRole) };
}

/** The ServiceAccount this stack creates for the Vault Secrets Operator's login that syncs the admin credentials (StackGres mode). */
export function adminSyncServiceAccountName(clusterName: string): string {
    return `${clusterName}-vault-sync`;
}

/** The ServiceAccount this stack creates for the seed's debug workloads, which read the admin credentials. */
export function debugServiceAccountName(clusterName: string): string {
    return `${clusterName}-vault-debug`;
}

/** Whether any of the seed's debug workloads is on. */
export function debugWorkloadsEnabled(d: { csi: boolean; injector: boolean; direct: boolean }): boolean {
    return d.csi || d.injector || d.direct;
}

/**
 * Who the admin credentials role lets log in: Vault binds every listed service account in every
 * listed namespace. The service accounts are the ones this stack creates for that purpose (the
 * admin sync's, the debug workloads') plus `database.adminServiceAccounts`; the namespaces are the
 * database's plus the debug workloads'.
 */
export function adminRoleBinding(c: Pick<Parsed, "database" | "debugWorkloads">): { serviceAccounts: string[]; namespaces: string[] } {
    const d = c.debugWorkloads;
    const debug = debugWorkloadsEnabled(d);
    const namespaces = new Set([c.database.namespace]);
    if (debug && d.namespace) {
        namespaces.add(d.namespace);
    }
    const serviceAccounts = new Set([
        ...(c.database.mode === "stackgres" ? [adminSyncServiceAccountName(c.database.clusterName)] : []),
        ...(debug ? [debugServiceAccountName(c.database.clusterName)] : []),
        ...c.database.adminServiceAccounts,
    ]);
    return { serviceAccounts: [...serviceAccounts], namespaces: [...namespaces] };
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** What the environment may add to config. */
export interface ConfigEnvironment {
    /** `VAULT_TOKEN`, used for an existing Vault when `vaultkit:vaultToken` is not set. */
    vaultToken?: string;
    /**
     * Whether a key (without the `vaultkit:` prefix) was set as a secret (`--secret`); when given,
     * a secret key set in plain text is refused.
     */
    isSecret?: (key: string) => boolean;
    /** `VAULT_SKIP_VERIFY`, which the Vault provider reads; refused in production. */
    vaultSkipVerify?: string;
    /** Reads a file relative to the project directory (checks `vault.caCertFile`); unset: not checked. */
    readFile?: (path: string) => string;
    /** The stack's config keys outside `vaultkit:` (e.g. `kubernetes:context`), which this program's explicit providers never read. */
    otherConfigKeys?: string[];
}

/**
 * Validates raw config values (key without the `vaultkit:` prefix -> parsed value) into a
 * `StackConfig`. Throws a `ConfigError` listing every problem at once: the schema's, the cross-field
 * rules' (checked on what the schema accepted when it refused something) and plain-text secrets.
 */
export function parseStackConfig(stackName: string, raw: Record<string, unknown>, env: ConfigEnvironment = {}): StackConfig {
    const result = rawConfigSchema.safeParse(raw);
    const problems = result.success
        ? crossFieldProblems(result.data, raw, env)
        : [...problemsFrom(result.error, raw), ...crossFieldProblemsDespite(raw, env)];
    problems.push(...plaintextSecretProblems(raw, env));
    if (!result.success || problems.length > 0) {
        throw new ConfigError(problems);
    }
    const c = result.data;
    const inClusterAddress =
        c.vault.inClusterAddress ??
        (c.vault.mode === "deploy"
            ? `${c.vault.server === "ha" ? "https" : "http"}://${c.vault.releaseName}.${c.vault.namespace}.svc.cluster.local:8200`
            : c.vault.address!);
    const { vaultToken, databaseAdminPassword, kubernetesTokenReviewerJwt, ...rest } = c;
    return {
        ...rest,
        stackName,
        vault: { ...c.vault, inClusterAddress },
        kubernetesAuth: { ...c.kubernetesAuth, vaultRunsInCluster: vaultRunsInCluster(c) },
        protect: c.protect ?? c.production,
        retainOnDelete: c.retainOnDelete ?? c.vault.mode === "existing",
        ...(vaultToken ?? env.vaultToken ? { vaultToken: vaultToken ?? env.vaultToken } : {}),
        ...(databaseAdminPassword ? { databaseAdminPassword } : {}),
        ...(kubernetesTokenReviewerJwt ? { kubernetesTokenReviewerJwt } : {}),
    };
}

/**
 * Warnings about config the program will not read: keys in a namespace that looks like a misspelt
 * `vaultkit` (`vaultkt:`, `valutkit:`, `VaultKit:`), which Pulumi accepts and the program never sees.
 */
export function configWarnings(all: Record<string, string>): string[] {
    const warnings: string[] = [];
    for (const fullKey of Object.keys(all).sort()) {
        const [ns, key] = fullKey.split(":", 2);
        if (key !== undefined && ns !== CONFIG_NAMESPACE && editDistance(ns!.toLowerCase(), CONFIG_NAMESPACE) <= 2) {
            warnings.push(`config key '${fullKey}' is ignored: its namespace is '${ns}', not '${CONFIG_NAMESPACE}' (did you mean '${CONFIG_NAMESPACE}:${key}'?)`);
        }
    }
    return warnings;
}

/**
 * Turns Pulumi's flat config map (`vaultkit:key` -> JSON or plain string) into raw values.
 * Keys of other namespaces (`kubernetes:`, `vault:`) are left alone.
 */
export function rawConfigFromPulumi(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        const [ns, key] = fullKey.split(":", 2);
        if (ns !== CONFIG_NAMESPACE || key === undefined) {
            continue;
        }
        if (SECRET_KEYS.has(key)) {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            raw[key] = text;
        }
    }
    return raw;
}
