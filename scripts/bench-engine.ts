/**
 * Benchmark of the real engine: the Pulumi CLI, the Node.js language host and pulumi-resource-kubernetes
 * (scripts/build-pulumi-engine.sh) against the kube tier's API server with kube-controller-manager
 * (scripts/kube-test-server.sh, started and stopped here). It times `pulumi preview` of an empty
 * program, then for each size the Kubernetes half of the real program (the stack of
 * test/e2e/kubernetes-half.test.ts: existing Vault configured elsewhere, operators installed by the
 * platform team, StackGres, applications alternating sync and direct) — its `up`, and a no-op
 * `preview` after it — and prints each as a ratio to the empty program. Operators and the kubelet
 * are played by the e2e tier's fakes, which answer within a few hundred milliseconds.
 *
 *   npm run bench:engine                      # sizes 1, 10, 100
 *   npm run bench:engine -- --sizes 1,10
 *   npm run bench:engine -- --help
 *
 * It prints numbers; it asserts nothing about time.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseSizesArgs } from "./lib/sizes";

const USAGE = `usage: npm run bench:engine [-- --sizes <n,n,...>]   (scripts/bench-engine.ts)

Times, on the real Pulumi engine against a real kube-apiserver + kube-controller-manager started for the
run, \`pulumi preview\` of an empty program and, per number of applications, \`pulumi up\` and a no-op
\`pulumi preview\` of the Kubernetes half of the real program; prints each as a ratio to the empty
program. Needs scripts/build-pulumi-engine.sh and scripts/build-kube.sh to have run, /usr/bin/kubectl
and the pinned CRDs ($VAULTKIT_SHARED_DIR or ../shared). Progress goes to stderr, the table to stdout.

  --sizes <list>  comma-separated application counts (default: 1,10,100; 100 takes minutes)
  -h, --help      this text`;

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

async function timed<T>(what: string, f: () => Promise<T>): Promise<{ ms: number; result: T }> {
    process.stderr.write(`bench:engine: ${what}... `);
    const start = performance.now();
    const result = await f();
    const ms = performance.now() - start;
    process.stderr.write(`${seconds(ms)} s\n`);
    return { ms, result };
}

async function main(): Promise<void> {
    const sizes = parseSizesArgs(process.argv.slice(2), { defaults: [1, 10, 100], min: 1, usage: USAGE });
    // Loaded after --help: nothing below runs for it.
    const { engineBinDir, engineSandbox, REPO_ROOT } = await import("../test/e2e/support/engine");
    const { FakeKubelet } = await import("../test/e2e/support/kubelet");
    const kh = await import("../test/e2e/support/kubeHalf");
    const { startKubeServer } = await import("../test/e2e/support/kubeServer");
    const { AutoOperators } = await import("../test/e2e/support/operators");

    const missing = kh.kubeHalfMissing();
    if (missing.length > 0) throw new Error(`bench:engine cannot run:\n  ${missing.join("\n  ")}`);

    const server = await startKubeServer("bench");
    const kubelet = new FakeKubelet(server.kube);
    const operators = new AutoOperators(server.kube);
    const sandbox = engineSandbox("bench");
    const emptyDir = mkdtempSync(join(tmpdir(), "vaultkit-bench-empty-"));
    const stacks: { stack: Stack; name: string }[] = [];
    const rows: { apps: number; resources: number; upMs: number; previewMs: number }[] = [];
    let emptyMs = 0;
    try {
        await kh.installPinnedCrds(server.kube);
        await kubelet.start();
        operators.start();
        const pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });

        // The empty program: the same runtime and node_modules, no resource.
        writeFileSync(join(emptyDir, "Pulumi.yaml"), "name: vaultkit-bench-empty\nruntime: nodejs\n");
        writeFileSync(join(emptyDir, "index.ts"), "export {};\n");
        symlinkSync(join(REPO_ROOT, "node_modules"), join(emptyDir, "node_modules"));
        const empty = await LocalWorkspace.createOrSelectStack({ stackName: "empty", workDir: emptyDir }, { envVars: sandbox.env, pulumiCommand });
        await empty.preview({ onOutput: () => undefined }); // warm the file cache once, like every other run
        emptyMs = (await timed("preview of an empty program", () => empty.preview({ onOutput: () => undefined }))).ms;

        for (const n of sizes) {
            const id = randomBytes(3).toString("hex");
            const name = `bench-${n}-${id}`;
            const stack = await kh.kubeHalfStack(sandbox, name, server.kubeconfig);
            stacks.push({ stack, name });
            await stack.setAllConfig(kh.kubeHalfConfig(id, kh.kubeHalfNames(id, n), "http://127.0.0.1:8200", randomBytes(18).toString("hex")));
            const up = await timed(`up with ${n} application(s)`, () => stack.up({ onOutput: () => undefined }));
            const resources = Object.values(up.result.summary.resourceChanges ?? {}).reduce((a, b) => a + (b ?? 0), 0);
            const preview = await timed(`no-op preview with ${n} application(s)`, () => stack.preview({ onOutput: () => undefined }));
            const changed = Object.entries(preview.result.changeSummary).filter(([k, c]) => k !== "same" && (c ?? 0) > 0);
            if (changed.length > 0) throw new Error(`the preview after the up of ${n} application(s) is not a no-op: ${JSON.stringify(changed)}`);
            rows.push({ apps: n, resources, upMs: up.ms, previewMs: preview.ms });
            await timed(`destroy of ${n} application(s)`, () => stack.destroy({ onOutput: () => undefined }));
        }
    } finally {
        for (const { stack, name } of stacks) await kh.removeKubeHalfStack(stack, name);
        await operators.stop();
        await kubelet.stop();
        await server.stop();
        sandbox.dispose();
        rmSync(emptyDir, { recursive: true, force: true });
    }

    console.log(`empty program: pulumi preview ${seconds(emptyMs)} s (= 1.0)`);
    console.log(["applications", "resources", "up s", "up / empty", "no-op preview s", "preview / empty"].join("\t"));
    for (const r of rows) {
        console.log([r.apps, r.resources, seconds(r.upMs), (r.upMs / emptyMs).toFixed(1), seconds(r.previewMs), (r.previewMs / emptyMs).toFixed(1)].join("\t"));
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
});
