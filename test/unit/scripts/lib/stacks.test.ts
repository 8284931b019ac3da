import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { loadStackFile } from "../../../../scripts/lib/stacks";

it("loadStackFile names the stack file and the line of a YAML error (a mis-indented list)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-stack-file-"));
    try {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: vaultkit\nruntime: nodejs\n");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  vaultkit:platform: openshift\n  vaultkit:applications:\n- name: app\n  namespace: rhbk\n");
        expect(() => loadStackFile(dir, "dev")).toThrow(/^Pulumi\.dev\.yaml: A block sequence may not be used as an implicit map key at line 3, column \d+/);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
