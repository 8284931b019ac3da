/**
 * scripts/lib/engine.ts: the mock engine that captures a program run for the renderer. A program that
 * throws fails the capture loudly, RandomPassword results reach the program as secrets, and the fixture
 * program renders byte-identically twice and validates cleanly (the render modules' own tests are in
 * test/render/scripts/lib/render/).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { capture, CaptureError } from "../../../../scripts/lib/engine";
import { RenderResult } from "../../../../scripts/lib/render";
import { renderFixture, treeText } from "../../../support/render";
import { validateRendered } from "../../../support/schemas";

let result: RenderResult;

beforeAll(async () => {
    result = await renderFixture();
});

describe("secrets", () => {
    it("hands the program RandomPassword results as secrets", async () => {
        let secret: boolean | undefined;
        await capture({
            project: "vaultkit",
            stack: "probe",
            program: async () => {
                const { RandomPassword } = await import("@pulumi/random");
                secret = await pulumi.isSecret(new RandomPassword("p", { length: 20 }).result);
            },
        });
        expect(secret).toBe(true);
    });
});

describe("the engine", () => {
    it("fails loudly when the program throws or a registration fails", async () => {
        await expect(
            capture({
                project: "vaultkit",
                stack: "broken",
                program: () => {
                    throw new Error("config is wrong");
                },
            }),
        ).rejects.toThrow(CaptureError);
        await expect(capture({ project: "vaultkit", stack: "broken", program: () => { throw new Error("config is wrong"); } })).rejects.toThrow(/config is wrong/);
    });

    it("renders byte-identical trees twice in one process", async () => {
        const again = await renderFixture();
        expect(treeText(again.files)).toBe(treeText(result.files));
    });

    it("validates the fixture cleanly (the negative tests in validator.test.ts prove the checks bite)", async () => {
        const report = await validateRendered(result.files);
        expect(report.violations).toEqual([]);
        expect(report.checked.length).toBe(16);
    });

    it("catches a broken object in a rendered tree", async () => {
        const broken = await renderFixture({ sgClusterSpecPatch: { instances: "three", postgress: {} } }, "broken");
        const report = await validateRendered(broken.files);
        expect(report.violations.map((v) => [v.object, v.path, v.message])).toEqual([
            ["SGCluster rhbk/keycloak-postgresql", "/spec/instances", 'must be integer; got string "three"'],
            ["SGCluster rhbk/keycloak-postgresql", "/spec/postgress", "unknown field (the schema does not declare it)"],
        ]);
    });
});
