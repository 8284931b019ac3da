import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnTransitively, one, parentOf, registrations, settle, setupMocks } from "../../support/mocks";

class Thing extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

class Box extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:Box", name, {}, opts);
        new Thing("test:index:Thing", `${name}-thing`, { v: 1 }, { parent: this });
        this.registerOutputs({});
    }
}

describe("mock harness", () => {
    beforeAll(async () => {
        await setupMocks();
        const a = new Box("a");
        new Thing("test:index:Thing", "b", { v: 2 }, { dependsOn: [a] });
        new Thing("test:index:Thing", "c", { v: 3 });
        await settle();
    });

    it("records parents from the engine's requests", () => {
        expect(parentOf(one("test:index:Thing", "a-thing"))).toBe("vaultkit:index:Box::a");
        expect(parentOf(one("vaultkit:index:Box", "a"))).toBe("");
    });

    it("follows a dependency on a component down to its children", () => {
        expect(dependsOnTransitively(one("test:index:Thing", "b"), one("test:index:Thing", "a-thing"))).toBe(true);
        expect(dependsOnTransitively(one("test:index:Thing", "c"), one("test:index:Thing", "a-thing"))).toBe(false);
        expect(registrations.map((r) => r.name).sort()).toEqual(["a", "a-thing", "b", "c"]);
    });
});

describe("secret tracking", () => {
    it("reports which inputs reached the engine as secrets", async () => {
        new Thing("test:index:Secretive", "s", { plain: "a", nested: { pw: pulumi.secret("hunter2") } });
        await settle();
        const r = one("test:index:Secretive", "s");
        expect(r.secretPaths).toEqual(["nested.pw"]);
        expect(r.inputs.nested.pw).toBe("hunter2");
        expect(r.inputs.plain).toBe("a");
    });
});

describe("Kubernetes autonaming", () => {
    const CM = "kubernetes:core/v1:ConfigMap";
    beforeAll(async () => {
        const k8s = await import("@pulumi/kubernetes");
        const unnamed = new k8s.core.v1.ConfigMap("unnamed", { metadata: { namespace: "ns" }, data: { a: "1" } });
        new k8s.core.v1.ConfigMap("referrer", { metadata: { name: "referrer", namespace: "ns" }, data: { target: unnamed.metadata.name } });
        new k8s.core.v1.ConfigMap("no-metadata", { data: { a: "1" } });
        new k8s.core.v1.ConfigMap("generated", { metadata: { generateName: "gen-", namespace: "ns" } });
        new k8s.core.v1.ConfigMapPatch("patch", { metadata: { name: "existing", namespace: "ns" }, data: { a: "2" } });
        k8s.core.v1.ConfigMap.get("read", "ns/existing");
        await settle();
    });

    it("names an object without metadata.name `<resource name>-<8 hex>`, and references see that name", () => {
        const unnamed = one(CM, "unnamed");
        expect(unnamed.autonamed).toBe(true);
        expect(unnamed.inputs.metadata).toEqual({ namespace: "ns", name: expect.stringMatching(/^unnamed-[0-9a-f]{8}$/) });
        expect(one(CM, "referrer").inputs.data.target).toBe(unnamed.inputs.metadata.name);
        expect(one(CM, "no-metadata").inputs.metadata.name).toMatch(/^no-metadata-[0-9a-f]{8}$/);
    });

    it("keeps a given name or generateName, and names no Patch and no read", () => {
        expect(one(CM, "referrer")).toMatchObject({ autonamed: false, inputs: { metadata: { name: "referrer" } } });
        expect(one(CM, "generated").autonamed).toBe(false);
        expect(one(CM, "generated").inputs.metadata.name).toBeUndefined();
        expect(one("kubernetes:core/v1:ConfigMapPatch", "patch")).toMatchObject({ autonamed: false, inputs: { metadata: { name: "existing" } } });
        expect(one(CM, "read").autonamed).toBe(false);
    });
});
