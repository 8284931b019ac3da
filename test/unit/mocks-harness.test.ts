import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnTransitively, one, parentOf, registrations, settle, setupMocks } from "../support/mocks";

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
