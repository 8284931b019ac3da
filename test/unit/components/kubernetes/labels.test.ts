/** components/kubernetes/labels.ts: the recommended labels on everything the package creates. */
import { describe, expect, it } from "vitest";
import { selectorLabels, standardLabels } from "../../../../components/kubernetes/labels";

describe("standard labels", () => {
    it("always managed-by pulumi and part-of vaultkit, plus the parts given", () => {
        expect(standardLabels()).toEqual({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "vaultkit" });
        expect(standardLabels({ name: "b", instance: "i", component: "vault-bootstrap" })).toEqual({
            "app.kubernetes.io/name": "b",
            "app.kubernetes.io/instance": "i",
            "app.kubernetes.io/component": "vault-bootstrap",
            "app.kubernetes.io/part-of": "vaultkit",
            "app.kubernetes.io/managed-by": "pulumi",
        });
    });

    it("leaves part-of out only when asked (the gate Jobs, whose pod templates are immutable)", () => {
        expect(standardLabels({ name: "w", component: "operator-wait", partOf: false })).toEqual({
            "app.kubernetes.io/name": "w",
            "app.kubernetes.io/component": "operator-wait",
            "app.kubernetes.io/managed-by": "pulumi",
        });
    });

    it("selects a workload's pods by name and instance only", () => {
        expect(selectorLabels("app")).toEqual({ "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "app" });
    });
});
