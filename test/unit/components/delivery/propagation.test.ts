/** propagationDelaySeconds (components/delivery/propagation.ts): the worst-case delay per delivery pattern. */
import { describe, expect, it } from "vitest";
import { propagationDelaySeconds } from "../../../../components/delivery/propagation";

describe("propagationDelaySeconds", () => {
    const intervals = { rolloutRestartSeconds: 30, csiRotationPollIntervalSeconds: 120, fetchIntervalSeconds: 30, rotationPeriodSeconds: 86400 };

    it("gives the worst case after a scheduled rotation per pattern", () => {
        expect(propagationDelaySeconds("sync", intervals)).toBe(31);
        expect(propagationDelaySeconds("injector", intervals)).toBe(2);
        expect(propagationDelaySeconds("csi", intervals)).toBe(120);
        expect(propagationDelaySeconds("direct", intervals)).toBe(30);
    });

    it("follows the configured intervals", () => {
        const faster = { ...intervals, csiRotationPollIntervalSeconds: 10, fetchIntervalSeconds: 5, rolloutRestartSeconds: 0 };
        expect(propagationDelaySeconds("csi", faster)).toBe(10);
        expect(propagationDelaySeconds("direct", faster)).toBe(5);
        expect(propagationDelaySeconds("sync", faster)).toBe(1);
    });

    it("waits up to a rotation period for manual rotations with the TTL-driven patterns", () => {
        expect(propagationDelaySeconds("sync", intervals, "manual")).toBe(86400 + 31);
        expect(propagationDelaySeconds("injector", intervals, "manual")).toBe(86402);
        expect(propagationDelaySeconds("csi", intervals, "manual")).toBe(120);
        expect(propagationDelaySeconds("direct", intervals, "manual")).toBe(30);
        expect(() => propagationDelaySeconds("sync", { ...intervals, rotationPeriodSeconds: undefined }, "manual")).toThrow(/rotationPeriodSeconds/);
        expect(() => propagationDelaySeconds("csi", { ...intervals, fetchIntervalSeconds: -1 })).toThrow(/non-negative/);
    });
});
