/** stacks/config/primitives.ts: the shared building blocks; durations here (names, images and versions through their sections' cases). */
import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "../../../../stacks/config";

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
