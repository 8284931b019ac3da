import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { one, settle, setupMocks } from "../../support/mocks";

let mod: typeof import("../../../components/inputs");
let k8s: typeof import("@pulumi/kubernetes");
let vault: typeof import("@pulumi/vault");

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../components/inputs");
    k8s = await import("@pulumi/kubernetes");
    vault = await import("@pulumi/vault");
});

function lowercase(value: string): void {
    if (!/^[a-z]+$/.test(value)) {
        throw new Error(`probe: value must be lowercase letters, got ${JSON.stringify(value)}`);
    }
}

/**
 * The promise behind an Output, its rejection included (which `apply` never shows). An Output keeps
 * its value, known-ness and secrecy in separate promises; all of them reject, so all are awaited
 * here (the Pulumi runtime reports any left over as the program's error, vitest as unhandled).
 */
async function settled<T>(o: pulumi.Input<T>): Promise<T> {
    const out = pulumi.output(o) as any;
    await Promise.allSettled([out.isKnown, out.isSecret, out.allResources()]);
    return out.promise();
}

/** A component as the vault components use the helper: check first, register after. */
function probe(name: string, value: pulumi.Input<string>): void {
    const checked = mod.checkedInput(value, lowercase);
    const parent = new pulumi.ComponentResource("test:index:Probe", name, {}, {});
    new k8s.core.v1.ConfigMap(`${name}-cm`, { metadata: { name }, data: { value: checked } }, { parent });
}

describe("checkedInput", () => {
    it("throws a plain bad value's message at construction, before anything registers", () => {
        expect(() => probe("plain-bad", "Not Lower")).toThrow('probe: value must be lowercase letters, got "Not Lower"');
    });

    it("returns a plain good value as it is (no Output)", () => {
        expect(mod.checkedInput("abc", lowercase)).toBe("abc");
        const list = ["a", "b"];
        expect(mod.checkedInput(list, (v) => expect(v).toEqual(["a", "b"]))).toBe(list);
    });

    it("defers an Output's check to its apply and rejects with the same message", async () => {
        let ran = false;
        const checked = mod.checkedInput(pulumi.output("Not Lower"), (v) => {
            ran = true;
            lowercase(v);
        });
        expect(pulumi.Output.isInstance(checked)).toBe(true);
        await expect(settled(checked)).rejects.toThrow('probe: value must be lowercase letters, got "Not Lower"');
        expect(ran).toBe(true);
    });

    it("checks a Promise, and a plain list holding an Output, when they resolve", async () => {
        await expect(settled(mod.checkedInput(Promise.resolve("Bad"), lowercase))).rejects.toThrow('got "Bad"');
        const seen: string[][] = [];
        const list = mod.checkedInput([pulumi.output("a"), "b"], (v) => void seen.push(v));
        expect(await settled(list)).toEqual(["a", "b"]);
        expect(seen).toEqual([["a", "b"]]);
    });

    it("hands an Output's good value to the child unchanged, keeping its secrecy and its dependency", async () => {
        const mount = new vault.Mount("probe-mount", { path: "kvabc", type: "kv-v2" });
        probe("output-good", mount.path);
        probe("secret-good", pulumi.secret("hidden"));
        await settle();
        const fromMount = one("kubernetes:core/v1:ConfigMap", "output-good-cm");
        expect(fromMount.inputs.data).toEqual({ value: "kvabc" });
        expect(fromMount.dependencies).toContain(one("vault:index/mount:Mount", "probe-mount").urn);
        const secret = one("kubernetes:core/v1:ConfigMap", "secret-good-cm");
        expect(secret.inputs.data).toEqual({ value: "hidden" });
        expect(secret.secretPaths).toEqual(["data.value"]);
    });
});

describe("isPlainInput", () => {
    it("is false for an Output or Promise at any depth, true otherwise", () => {
        expect(mod.isPlainInput("a")).toBe(true);
        expect(mod.isPlainInput(undefined)).toBe(true);
        expect(mod.isPlainInput({ a: ["b", { c: 1 }] })).toBe(true);
        expect(mod.isPlainInput(pulumi.output("a"))).toBe(false);
        expect(mod.isPlainInput(Promise.resolve("a"))).toBe(false);
        expect(mod.isPlainInput(["a", pulumi.output("b")])).toBe(false);
        expect(mod.isPlainInput({ a: { b: Promise.resolve(1) } })).toBe(false);
    });
});

describe("derivedInput", () => {
    const shout = (v: { name: string; n: number }) => {
        lowercase(v.name);
        return `${v.name.toUpperCase()}x${v.n}`;
    };

    it("derives from plain values now (a plain result), and throws a bad one's message at construction", () => {
        expect(mod.derivedInput({ name: "abc", n: 2 }, shout)).toBe("ABCx2");
        expect(() => mod.derivedInput({ name: "Bad", n: 1 }, shout)).toThrow('probe: value must be lowercase letters, got "Bad"');
    });

    it("derives from an object holding an Output once it is known, and rejects with the same message", async () => {
        expect(await settled(mod.derivedInput({ name: pulumi.output("abc"), n: 3 }, shout))).toBe("ABCx3");
        await expect(settled(mod.derivedInput({ name: pulumi.output("Bad"), n: 3 }, shout))).rejects.toThrow('got "Bad"');
    });
});
