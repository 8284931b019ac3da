import { describe, expect, it } from "vitest";
import { staticRoleRotationPeriod as policy } from "./policies";
import { durationSeconds, rotationProblems } from "./rules/staticRoleRotationPeriod";
import { schemaDefaults, T, violations } from "./testing";

const role = (rotationPeriod?: unknown, extra: Record<string, unknown> = {}) => ({
    backend: "database",
    name: "app",
    dbName: "keycloak-postgresql",
    username: "app",
    ...(rotationPeriod === undefined ? {} : { rotationPeriod }),
    ...extra,
});

describe("vault-static-role-rotation-period-bounds", () => {
    it("is mandatory with 60 s .. 365 d defaults", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
        expect(schemaDefaults(policy)).toEqual({ minimumSeconds: 60, maximumSeconds: 31_536_000 });
    });

    it("accepts periods inside the bounds, including both edges", async () => {
        for (const p of [60, 86400, 31_536_000]) {
            expect(await violations(policy, { type: T.staticRole, props: role(p) })).toEqual([]);
        }
    });

    it("rejects periods below 60 s and above 365 d", async () => {
        expect(await violations(policy, { type: T.staticRole, name: "app", props: role(59) })).toEqual([expect.stringMatching(/Static role 'app' rotates every 59s .*below the minimum of 1m \(60s\)/)]);
        expect(await violations(policy, { type: T.staticRole, props: role(31_536_001) })).toEqual([expect.stringMatching(/above the maximum of 365d/)]);
    });

    it("rejects a role that never rotates, accepts a cron schedule instead of a period", async () => {
        expect(await violations(policy, { type: T.staticRole, props: role() })).toEqual([expect.stringMatching(/neither rotationPeriod nor rotationSchedule/)]);
        expect(await violations(policy, { type: T.staticRole, props: role(undefined, { rotationSchedule: "0 3 * * SUN" }) })).toEqual([]);
    });

    it("uses configured bounds", async () => {
        const config = { minimumSeconds: 3600, maximumSeconds: 7 * 86400 };
        expect(await violations(policy, { type: T.staticRole, props: role(600), config })).toHaveLength(1);
        expect(await violations(policy, { type: T.staticRole, props: role(30 * 86400), config })).toHaveLength(1);
        expect(await violations(policy, { type: T.staticRole, props: role(86400), config })).toEqual([]);
    });

    it("checks static roles written through a generic endpoint", async () => {
        const bad = { path: "database/static-roles/app", dataJson: JSON.stringify({ db_name: "c", username: "app", rotation_period: "30s" }) };
        expect(await violations(policy, { type: T.endpoint, props: bad })).toEqual([expect.stringMatching(/rotates every 30s/)]);
        const good = { path: "database/static-roles/app", dataJson: JSON.stringify({ db_name: "c", username: "app", rotation_period: "24h" }) };
        expect(await violations(policy, { type: T.endpoint, props: good })).toEqual([]);
        expect(await violations(policy, { type: T.endpoint, props: { path: "kv/data/x", dataJson: JSON.stringify({ rotation_period: 1 }) } })).toEqual([]);
    });

    it("parses Vault durations", () => {
        expect(durationSeconds(90)).toBe(90);
        expect(durationSeconds("86400")).toBe(86400);
        expect(durationSeconds("1h30m")).toBe(5400);
        expect(durationSeconds("7d")).toBe(604800);
        expect(durationSeconds("soon")).toBeUndefined();
        expect(rotationProblems("soon", undefined, {})).toEqual([expect.stringMatching(/expected whole seconds/)]);
    });
});
