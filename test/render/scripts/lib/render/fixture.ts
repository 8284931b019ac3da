/**
 * The fixture program rendered once per test file (test/render/fixtures), with accessors for its files
 * and index.yaml entries: what the render module tests read.
 */
import { beforeAll } from "vitest";
import { RenderResult } from "../../../../../scripts/lib/render";
import { fromYaml } from "../../../../../scripts/lib/yaml";
import { renderFixture } from "../../../../support/render";

/** Renders the fixture in `beforeAll` and returns accessors to the result. */
export function renderedFixture() {
    let result: RenderResult | undefined;
    beforeAll(async () => {
        result = await renderFixture();
    });
    const rendered = (): RenderResult => {
        if (!result) throw new Error("the fixture is rendered in beforeAll");
        return result;
    };
    const file = (p: string) => {
        const c = rendered().files.get(p);
        if (c === undefined) throw new Error(`no rendered file ${p}; have:\n${[...rendered().files.keys()].join("\n")}`);
        return c;
    };
    const yamlOf = (p: string) => fromYaml(file(p)) as Record<string, any>;
    const index = () => yamlOf("index.yaml");
    const entry = (id: string) => {
        const e = index().resources.find((r: { id: string }) => r.id === id);
        if (!e) throw new Error(`no index entry ${id}`);
        return e;
    };
    return { rendered, file, yamlOf, index, entry };
}
