/**
 * `vaultkit:vault` (and `vaultkit:vaultToken`): deploy Vault or use an existing one, its server shape,
 * exposure, TLS and the HA bootstrap; with the rules that tie these keys to each other.
 */
import { z } from "zod";
import { DNS_SUBDOMAIN } from "../../components/kubernetes/names";
import { normalizePgpPublicKey } from "../../components/vault/pgpPublicKey";
import { PINNED } from "../../components/versions";
import { describeGiven, keyOf, rawValue } from "./errors";
import { dnsLabel, duration, namespaceName, objectName, PEM_CERTIFICATE, pinnedImage, url } from "./primitives";
import type { CrossFieldRule } from "./rules";
import type { Parsed } from "./schema";

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

/** `vaultkit:vault`. */
export const vaultSchema = z
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


/** Dev mode in production, and the keys a stack that configures nothing in Vault must not set. */
export const vaultServerRules: CrossFieldRule = (c, r) => {
    if (c.production && c.vault.mode === "deploy" && c.vault.server === "dev") {
        r.add(["vault", "server"], "expected 'ha' in a stack marked production (vaultkit:production is true): Vault dev mode keeps everything in memory with a single unsealed node");
    }
    if (!c.vault.configure) {
        if (c.vault.mode !== "existing") {
            r.add(["vault", "configure"], "expected true when vault.mode is 'deploy' (this stack configures the Vault it deploys); false needs vault.mode 'existing'");
        }
        // Nothing in this stack talks to Vault's API: keys only the Vault configuration uses are mistakes.
        const unused = "when vault.configure is false (this stack configures nothing in Vault; the team that owns Vault's configuration sets it)";
        if (c.vaultToken) {
            r.add(["vaultToken"], `expected no token ${unused}`);
        }
        if (c.kubernetesTokenReviewerJwt) {
            r.add(["kubernetesTokenReviewerJwt"], `expected no token reviewer ${unused}`);
        }
        if (c.kubernetesAuth.kubernetesCaCert) {
            r.add(["kubernetesAuth", "kubernetesCaCert"], `expected no API CA ${unused}`);
        }
    }
};

/** Where `pulumi` reaches Vault and with which token: an existing Vault needs both, a dev Vault makes its own. */
export const vaultAccessRules: CrossFieldRule = (c, r) => {
    if (c.vault.mode === "existing") {
        if (!c.vault.address) {
            r.add(["vault", "address"], "expected the URL of the existing Vault when vault.mode is 'existing'");
        }
        if (c.vault.configure && !c.vaultToken && !r.env.vaultToken) {
            r.push({
                key: keyOf(["vaultToken"]),
                expected: "expected a Vault token when vault.mode is 'existing': `pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN in the environment",
                given: "nothing (the key is missing)",
            });
        }
    } else {
        if (!c.vault.address) {
            r.add(["vault", "address"], "expected the URL where `pulumi` reaches the deployed Vault (its Route/Ingress, or a port-forward like http://127.0.0.1:8200)");
        }
        if (c.vault.server === "dev" && c.vaultToken) {
            r.add(["vaultToken"], "expected no token for a dev-mode Vault (the program generates its root token)");
        }
        if (c.vault.server === "ha" && !c.vault.bootstrapOnly && !c.vaultToken && !r.env.vaultToken) {
            r.push({
                key: keyOf(["vaultToken"]),
                expected: "expected an admin token for the HA Vault once it is initialised (`pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN), or vault.bootstrapOnly true for the first up; see docs/ha-vault.md",
                given: "nothing (the key is missing)",
            });
        }
    }
};

/** The HA-only keys: bootstrap, CA for clients, auto-unseal; refused on a dev or existing Vault. */
export const haVaultRules: CrossFieldRule = (c, r) => {
    if (c.vault.mode === "deploy" && c.vault.server === "ha") {
        if (c.vault.bootstrapOnly && !c.vault.bootstrap) {
            r.add(["vault", "bootstrapOnly"], "expected vault.bootstrap (the PGP public keys and threshold) with bootstrapOnly: without them nothing initialises Vault");
        }
        if (!c.vault.caSecretName) {
            r.add(["vault", "caSecretName"], "expected the name of a Secret with Vault's CA (ca.crt) in the consuming namespaces: HA Vault serves TLS, and pods must verify it");
        }
        if (c.production && !c.vault.sealConfig) {
            r.add(["vault", "sealConfig"], "expected an auto-unseal seal stanza in a stack marked production: with Shamir keys every pod restart waits for key holders (docs/ha-vault.md)");
        }
        if (c.vault.sealSecretEnv.length > 0 && !c.vault.sealConfig) {
            r.add(["vault", "sealSecretEnv"], "expected vault.sealConfig: these variables only feed a seal stanza");
        }
    } else {
        for (const k of ["bootstrap", "bootstrapOnly", "sealSecretEnv"] as const) {
            const v = c.vault[k];
            if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) {
                r.add(["vault", k], "expected only with vault.mode 'deploy' and vault.server 'ha' (a dev Vault initialises itself; an existing one already is)");
            }
        }
    }
};

/** Routes are OpenShift's, Ingresses plain Kubernetes'. */
export const vaultExposureRules: CrossFieldRule = (c, r) => {
    if (c.platform !== "openshift" && c.vault.routeHost) {
        r.add(["vault", "routeHost"], "expected no Route host on platform 'kubernetes' (Routes are OpenShift objects; use vault.ingressHost)");
    }
    if (c.platform === "openshift" && c.vault.ingressHost) {
        r.add(["vault", "ingressHost"], "expected no Ingress host on platform 'openshift' (use vault.routeHost)");
    }
};

/** Go's strconv.ParseBool spellings of false: what leaves the Vault provider verifying TLS. */
const GO_FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * TLS from `pulumi` to Vault. The Vault provider treats `skipTlsVerify: false` as unset and then
 * reads VAULT_SKIP_VERIFY, so the environment could switch verification off behind the config's back.
 */
export const vaultTlsRules: CrossFieldRule = (c, r) => {
    if (c.production && c.vault.skipTlsVerify) {
        r.add(["vault", "skipTlsVerify"], "expected false in a stack marked production");
    }
    const { raw, env } = r;
    const skip = env.vaultSkipVerify;
    if (c.production && skip !== undefined && skip !== "" && !GO_FALSE.has(skip)) {
        r.push({
            key: "VAULT_SKIP_VERIFY",
            expected: "expected it unset in a stack marked production (vaultkit:production is true): the Vault provider reads it and stops verifying Vault's certificate; trust the CA with vaultkit:vault.caCertFile instead",
            given: JSON.stringify(skip),
        });
    }
    const file = c.vault.caCertFile;
    if (file !== undefined) {
        if (c.vault.skipTlsVerify) {
            r.push({ key: keyOf(["vault", "caCertFile"]), expected: "expected either a CA file or vault.skipTlsVerify, not both", given: describeGiven(raw, ["vault", "caCertFile"]) });
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
                r.push({
                    key: keyOf(["vault", "caCertFile"]),
                    expected:
                        `expected a readable PEM file (relative to the project directory) with the CA that signed the certificate served at vault.address${error ? ` (${error})` : " (it holds no PEM certificate)"}; ` +
                        "for an OpenShift edge Route: oc -n openshift-ingress-operator get secret router-ca -o jsonpath='{.data.tls\\.crt}' | base64 -d > ingress-ca.crt",
                    given: describeGiven(raw, ["vault", "caCertFile"]),
                });
            }
        }
    }
};

/**
 * An existing Vault is usually shared: its `kubernetes`, `kv-v2` and `database` paths belong to
 * someone already (Vault refuses a second mount there), and two stacks must not share one. This
 * stack enables and owns these three, so their paths must be chosen, not defaulted.
 */
export const existingVaultMountRules: CrossFieldRule = (c, r) => {
    if (c.vault.mode !== "existing" || !c.vault.configure) {
        return;
    }
    const mounts: [string[], string, string][] = [
        [["kubernetesAuth", "mount"], "the Kubernetes auth method", "kubernetes"],
        [["database", "kvMount"], "the KV v2 engine of the admin credentials", "kv"],
        [["database", "databaseMount"], "the database secrets engine", "database"],
    ];
    for (const [path, what, example] of mounts) {
        if (rawValue(r.raw, path) === undefined) {
            r.add(
                path,
                `expected a mount path chosen for this stack when vault.mode is 'existing' (e.g. '<stack>-${example}'): this stack enables ${what} there and owns it, ` +
                    "and a shared Vault's default path is usually taken already (Vault refuses a second mount) or another stack's",
            );
        }
    }
};

/**
 * The CSI provider and the agent injector come with Vault's chart: a deployed Vault has them when
 * switched on; with an existing Vault nothing here installs them, so the user must say they run in
 * the cluster (by setting the switch to true explicitly). Returns why a pattern cannot work, if so.
 */
export function missingVaultComponent(pattern: string, v: Parsed["vault"], raw: Record<string, unknown>): string | undefined {
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
