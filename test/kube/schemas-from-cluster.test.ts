/**
 * `npm run render -- --validate --schemas-from-cluster` against the kube tier's real kube-apiserver:
 * the CRDs the server serves are read through its kubeconfig and the render's custom resources are
 * validated against them; what the server does not serve (Helm values, families it has no CRDs of)
 * is reported as not validated; a refused credential stops with the server's answer.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedCrdFamilies } from "../../scripts/lib/validate/crds";
import { REPO_ROOT, SHARED_DIR } from "../support/render";
import { Kube, kubeEnv } from "./support/kube";

const env = kubeEnv();
const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

function render(args: string[]) {
    const r = spawnSync(TSX, ["scripts/render.ts", "--stack", "kind", "--out", join(tmp, "out"), "--validate", "--schemas-from-cluster", ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 300_000,
        env: { ...process.env, VAULTKIT_SHARED_DIR: "", VAULTKIT_SCHEMAS_DIR: "" },
    });
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

let tmp: string;

describe.skipIf(!env)("render --validate --schemas-from-cluster on a real kube-apiserver", () => {
    let kubeconfig: string;

    beforeAll(async () => {
        tmp = mkdtempSync(join(tmpdir(), "vaultkit-cluster-schemas-"));
        kubeconfig = join(env!.dir, "admin.kubeconfig");
        // What the kind stack's operators would have installed (the same CRDs apply.test.ts installs).
        const kube = new Kube(env!);
        for (const f of pinnedCrdFamilies().filter((x) => ["StackGres", "Vault Secrets Operator", "Secrets Store CSI driver"].includes(x.family))) {
            await kube.installCrds(join(SHARED_DIR, "crds", f.dir), { timeoutMs: 60_000 });
        }
    }, 300_000);

    afterAll(() => {
        if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it("validates every custom resource of the kind stack against the served CRDs, and says what it could not", () => {
        const r = render(["--kubeconfig", kubeconfig]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^validated kind: \d+ objects checked, 0 violation\(s\)$/m);
        expect(r.stderr).toMatch(/^schemas: the CRDs https:\/\/127\.0\.0\.1:\d+ serves \(context [^)]+\): StackGres, Vault Secrets Operator, Secrets Store CSI driver/m);
        // Only the chart values are left: a cluster serves no chart files.
        expect(r.stderr).toMatch(/^kind: NOT validated \(not served by the cluster\): \d+ object\(s\): Helm values\. /m);
        expect(r.stderr).not.toMatch(/violation|unknown custom resource/);
    });

    it("stops with the server's answer when the credential is refused", () => {
        const bad = join(tmp, "bad.kubeconfig");
        writeFileSync(bad, readFileSync(kubeconfig, "utf8").replace(/token: .*/, "token: not-a-valid-token"));
        const r = render(["--kubeconfig", bad]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/https:\/\/127\.0\.0\.1:\d+ \(context [^)]+\) answered 401 to GET \/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions/);
        expect(r.stderr).not.toContain("not-a-valid-token");
    });
});
