/** stacks/config/primitives.ts: the shared building blocks; durations here (names, images and versions through their sections' cases). */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { parseDurationSeconds } from "../../../../stacks/config";
import {
    dnsLabel,
    duration,
    namespaceName,
    objectName,
    PEM_CERTIFICATE,
    pgRole,
    pinnedImage,
    postgresVersion,
    QUANTITY,
    REFRESH_BOUNDS,
    ROTATION_PERIOD_BOUNDS,
    TOKEN_TTL_BOUNDS,
    url,
    vaultMount,
    vaultPath,
} from "../../../../stacks/config/primitives";

describe("parseDurationSeconds", () => {
    it("parses durations in seconds and Go-style units", () => {
        expect(parseDurationSeconds(86400)).toBe(86400);
        expect(parseDurationSeconds("86400")).toBe(86400);
        expect(parseDurationSeconds("24h")).toBe(86400);
        expect(parseDurationSeconds("1h30m")).toBe(5400);
        expect(parseDurationSeconds("7d")).toBe(604800);
        expect(parseDurationSeconds("1.5h")).toBeUndefined();
        expect(parseDurationSeconds(-1)).toBeUndefined();
        expect(parseDurationSeconds("")).toBeUndefined();
    });
});

describe("parseDurationSeconds at its edges", () => {
    it("takes zero and surrounding blanks, and refuses what is not a whole duration", () => {
        expect(parseDurationSeconds(0)).toBe(0);
        expect(parseDurationSeconds(" 24h ")).toBe(86400);
        expect(parseDurationSeconds(" 90 ")).toBe(90);
        expect(parseDurationSeconds(undefined)).toBeUndefined();
        expect(parseDurationSeconds(null)).toBeUndefined();
        expect(parseDurationSeconds(true)).toBeUndefined();
        expect(parseDurationSeconds("h5")).toBeUndefined();
        expect(parseDurationSeconds("5mx")).toBeUndefined();
        expect(parseDurationSeconds("x5m")).toBeUndefined();
        expect(parseDurationSeconds("2d3h4m5s")).toBe(2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    });
});

/** The messages a schema refuses `value` with (empty when it accepts it). */
function refusal(schema: z.ZodType, value: unknown): string[] {
    return schema.safeParse(value).error?.issues.map((i) => i.message) ?? [];
}

describe("names", () => {
    it("namespaceName: an RFC 1123 label of at most 63 characters", () => {
        expect(refusal(namespaceName, "a".repeat(63))).toEqual([]);
        expect(refusal(namespaceName, "a".repeat(64))).toEqual(["expected a Kubernetes namespace of at most 63 characters"]);
        expect(refusal(namespaceName, "Rhbk")).toEqual(["expected a Kubernetes namespace (lower-case letters, digits and '-', starting and ending with a letter or digit)"]);
        expect(refusal(namespaceName, 5)).toEqual(["expected a string"]);
    });

    it("objectName: an RFC 1123 subdomain of at most 253 characters", () => {
        const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
        expect(long).toHaveLength(253);
        expect(refusal(objectName, long)).toEqual([]);
        expect(refusal(objectName, `${long}d`)).toEqual(["expected a Kubernetes object name of at most 253 characters"]);
        expect(refusal(objectName, "vault_ca")).toEqual(["expected a Kubernetes object name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"]);
        expect(refusal(objectName, 5)).toEqual(["expected a string"]);
    });

    it("dnsLabel: at most 63 characters of an RFC 1123 label", () => {
        expect(refusal(dnsLabel, "a".repeat(63))).toEqual([]);
        expect(refusal(dnsLabel, "a".repeat(64))).toEqual(["expected at most 63 characters"]);
        expect(refusal(dnsLabel, "a.b")).toEqual(["expected lower-case letters, digits and '-' (an RFC 1123 label)"]);
        expect(refusal(dnsLabel, 5)).toEqual(["expected a string"]);
    });

    it("vaultMount: letters, digits, '-' and '_', starting with a letter or digit", () => {
        for (const ok of ["a", "K8s_auth-1", "9"]) {
            expect(refusal(vaultMount, ok)).toEqual([]);
        }
        for (const bad of ["", "-a", "_a", "a/b", "a.b", "a b", "kv/"]) {
            expect(refusal(vaultMount, bad)).toEqual(["expected a Vault mount path: letters, digits, '-' and '_', no slashes"]);
        }
        expect(refusal(vaultMount, 5)).toEqual(["expected a string"]);
    });

    it("vaultPath: segments of letters, digits, '.', '_' and '-' between single slashes", () => {
        for (const ok of ["a", "team/app.v1/config_x-y", "A/B", "0/1.2"]) {
            expect(refusal(vaultPath, ok)).toEqual([]);
        }
        for (const bad of ["", "/a", "a/", "a//b", "a/*", ".a", "a/.b", "a b", "a/-b"]) {
            expect(refusal(vaultPath, bad)).toEqual(["expected a Vault path like 'team/app/config' (no leading or trailing '/', no wildcards)"]);
        }
        expect(refusal(vaultPath, 5)).toEqual(["expected a string"]);
    });

    it("pgRole: lower-case letters, digits and '_', at most 63, never 'pg_'", () => {
        for (const ok of ["a", "_a", "a1_", `a${"b".repeat(62)}`, "pgapp", "xpg_"]) {
            expect(refusal(pgRole, ok)).toEqual([]);
        }
        for (const bad of ["", "A", "1a", "a-b", `a${"b".repeat(63)}`, " a"]) {
            expect(refusal(pgRole, bad)).toEqual(["expected a PostgreSQL role name: lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters"]);
        }
        expect(refusal(pgRole, "pg_app")).toEqual(["expected a role name without the reserved prefix 'pg_'"]);
        expect(refusal(pgRole, 5)).toEqual(["expected a string"]);
    });
});

describe("url", () => {
    it("takes http:// and https:// URLs only", () => {
        expect(refusal(url, "http://127.0.0.1:8200")).toEqual([]);
        expect(refusal(url, "https://vault.example.com")).toEqual([]);
        for (const bad of ["ftp://vault.example.com", "vault.example.com", "", "https//x"]) {
            expect(refusal(url, bad)).toEqual(["expected an http:// or https:// URL"]);
        }
        expect(refusal(url, 5)).toEqual(["expected a string"]);
    });
});

describe("pinnedImage", () => {
    it("takes an image with a tag or digest, never ':latest'", () => {
        expect(refusal(pinnedImage, "registry.example.com/app:1.2.3")).toEqual([]);
        expect(refusal(pinnedImage, `registry.example.com/app@sha256:${"a".repeat(64)}`)).toEqual([]);
        expect(refusal(pinnedImage, "registry.example.com/app")).toEqual(["expected an image pinned to a tag or digest (e.g. 'registry/image:1.2.3')"]);
        expect(refusal(pinnedImage, "registry.example.com/app:latest")).toEqual(["expected a pinned tag, not ':latest'"]);
        expect(refusal(pinnedImage, "not an image")[0]).toBe("expected a container image reference");
        expect(refusal(pinnedImage, 5)).toEqual(["expected a string"]);
    });
});

describe("postgresVersion", () => {
    it("takes a major 12 to 18, as a number or a string, or major.minor as a string", () => {
        for (const [given, version] of [["12", "12"], ["18", "18"], [16, "16"], ["15.6", "15.6"], ["15.10", "15.10"]] as const) {
            expect(postgresVersion.parse(given)).toBe(version);
        }
        for (const bad of ["11", "19", "15.", "15.6.1", "v15", "115", "15.x", 11]) {
            expect(refusal(postgresVersion, bad)).toEqual(["expected a PostgreSQL major (12 to 18) or major.minor version, like 15 or '15.6'"]);
        }
        expect(refusal(postgresVersion, 15.6)).toEqual(["expected a minor version as a string, like '15.6' (YAML reads 15.10 as the number 15.1)"]);
        expect(refusal(postgresVersion, true)).toEqual(["expected a PostgreSQL version like 15 or '15.6'"]);
    });
});

describe("QUANTITY and PEM_CERTIFICATE", () => {
    it("QUANTITY: a number with an optional fraction and a binary or decimal suffix", () => {
        for (const ok of ["100", "1.5Ti", "1.25Gi", "4Ki", "5Mi", "5Gi", "3Pi", "2Ei", "1k", "500M", "9G", "6T", "7P", "8E"]) {
            expect(QUANTITY.test(ok), ok).toBe(true);
        }
        for (const bad of ["5 GB", "Gi", "1.Gi", "5gi", "5Gi ", " 5Gi", ".5Gi", "5Gi5", "5K", "5Gb"]) {
            expect(QUANTITY.test(bad), bad).toBe(false);
        }
    });

    it("PEM_CERTIFICATE: a BEGIN and END CERTIFICATE line with something between, wherever it stands", () => {
        expect(PEM_CERTIFICATE.test("subject=CN=x\n-----BEGIN CERTIFICATE-----\nMIIB\nAQAB\n-----END CERTIFICATE-----\n")).toBe(true);
        expect(PEM_CERTIFICATE.test("-----BEGIN CERTIFICATE-----M-----END CERTIFICATE-----")).toBe(true);
        expect(PEM_CERTIFICATE.test("-----BEGIN CERTIFICATE----------END CERTIFICATE-----")).toBe(false);
        expect(PEM_CERTIFICATE.test("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")).toBe(false);
    });
});

describe("duration", () => {
    const d = duration(60, 120);
    it("takes seconds or a duration string within its bounds, both included", () => {
        expect(d.parse(60)).toBe(60);
        expect(d.parse("2m")).toBe(120);
        expect(d.parse("90")).toBe(90);
        expect(refusal(d, 59)).toEqual(["expected a duration from 60s to 120s, which is 59s"]);
        expect(refusal(d, "121s")).toEqual(["expected a duration from 60s to 120s, which is 121s"]);
        expect(refusal(d, "daily")).toEqual(["expected a duration: whole seconds or a string like '90s', '30m', '24h', '7d'"]);
        expect(refusal(d, true)).toEqual(["expected a duration: seconds or a string like '24h'"]);
    });

    it("counts each unit: s, m, h, d", () => {
        expect([parseDurationSeconds("1s"), parseDurationSeconds("1m"), parseDurationSeconds("1h"), parseDurationSeconds("1d")]).toEqual([1, 60, 3600, 86400]);
    });

    it("bounds rotation periods, token TTLs and refresh intervals", () => {
        expect(ROTATION_PERIOD_BOUNDS).toEqual({ min: 60, max: 31536000 });
        expect(TOKEN_TTL_BOUNDS).toEqual({ min: 60, max: 2764800 });
        expect(REFRESH_BOUNDS).toEqual({ min: 5, max: 86400 });
    });
});
