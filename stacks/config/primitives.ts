/**
 * The zod building blocks the config sections share: Kubernetes and Vault names, URLs, pinned images,
 * PostgreSQL roles and versions, durations. Each carries the message a user sees when a value is refused.
 */
import { z } from "zod";
import { hasTagOrDigest, isImageReference, isLatestTag } from "../../components/kubernetes/images";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../../components/kubernetes/names";

const VAULT_MOUNT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const VAULT_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const PG_ROLE = /^[a-z_][a-z0-9_]{0,62}$/;
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
export const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

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
export const dnsLabel = z
    .string({ error: "expected a string" })
    .max(63, { error: "expected at most 63 characters" })
    .regex(DNS_LABEL, { error: "expected lower-case letters, digits and '-' (an RFC 1123 label)" });

export const vaultMount = z.string({ error: "expected a string" }).regex(VAULT_MOUNT, {
    error: "expected a Vault mount path: letters, digits, '-' and '_', no slashes",
});

export const vaultPath = z.string({ error: "expected a string" }).regex(VAULT_PATH, {
    error: "expected a Vault path like 'team/app/config' (no leading or trailing '/', no wildcards)",
});

export const pgRole = z.string({ error: "expected a string" }).regex(PG_ROLE, {
    error: "expected a PostgreSQL role name: lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters",
}).refine((s) => !s.startsWith("pg_"), { error: "expected a role name without the reserved prefix 'pg_'" });

export const url = z.string({ error: "expected a string" }).refine(
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
export const postgresVersion = z
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
export function duration(min: number, max: number) {
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
