import { describe, expect, it } from "vitest";
import { fromYaml, toYaml } from "../../../../scripts/lib/yaml";

describe("toYaml (the render's YAML)", () => {
    const volumes = {
        volumes: [
            { name: "creds", secret: { secretName: "s", defaultMode: 0o440 } },
            { name: "ca", configMap: { name: "c", items: [{ key: "ca.crt", path: "ca.crt", mode: 0o400 }] } },
        ],
    };

    it("writes file modes in decimal with their octal form as a comment, and reads back the same numbers", () => {
        const text = toYaml(volumes);
        expect(text).toContain("defaultMode: 288 # 0440\n");
        expect(text).toContain("mode: 256 # 0400\n");
        expect(fromYaml(text)).toEqual(volumes);
    });

    it("leaves other numbers and a `mode` that is not a volume item's alone", () => {
        const text = toYaml({ mode: "update", spec: { replicas: 3, mode: 5 } });
        expect(text).not.toContain("#");
        expect(fromYaml(text)).toEqual({ mode: "update", spec: { replicas: 3, mode: 5 } });
    });
});
