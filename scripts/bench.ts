/**
 * Benchmark: evaluates the whole program under Pulumi's mock engine for growing numbers of
 * applications and prints resources registered, wall time, milliseconds per resource and peak
 * memory. Each size runs in a fresh child process so memory figures do not bleed into each other.
 *
 *   npm run bench                      # sizes 1, 10, 100, 1000
 *   npm run bench -- --sizes 1,10,100  # a quicker run
 *   npm run bench -- --help
 *
 * It prints numbers; it asserts nothing about time (that belongs to no test).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { parseSizesArgs } from "./lib/sizes";

const PATTERNS = ["direct", "sync", "csi", "injector"] as const;

/** A kind-like stack with `n` applications, one namespace per ten applications. */
export function benchConfig(n: number): Record<string, unknown> {
    return {
        platform: "kubernetes",
        vault: { mode: "deploy", server: "dev", address: "http://127.0.0.1:8200" },
        database: { namespace: "rhbk" },
        applications: Array.from({ length: n }, (_, i) => ({
            name: `app-${i}`,
            namespace: `team-${Math.floor(i / 10)}`,
            serviceAccount: `app-${i}`,
            databaseRole: `app_${i}`,
            rotationPeriod: "24h",
            delivery: PATTERNS[i % PATTERNS.length],
        })),
        debugWorkloads: { csi: true, injector: true, direct: true },
    };
}

interface Sample {
    apps: number;
    resources: number;
    wallMs: number;
    peakRssMiB: number;
}

/** One measurement, in this process (called in the child). */
async function measure(n: number): Promise<Sample> {
    const pulumi = await import("@pulumi/pulumi");
    let count = 0;
    let last = 0;
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                count++;
                last = performance.now();
                // Just enough of what providers compute for the program to run to the end.
                const state = { ...args.inputs };
                if (args.type === "random:index/randomPassword:RandomPassword") {
                    state.result = "x".repeat(args.inputs.length ?? 32);
                }
                if (args.type.startsWith("kubernetes:") && state.metadata && !state.metadata.name) {
                    state.metadata = { ...state.metadata, name: `${args.name}-generated` };
                }
                return { id: `${args.name}-id`, state };
            },
            call(args) {
                return args.inputs;
            },
        },
        "vaultkit",
        "bench",
        false,
    );
    const { parseStackConfig } = await import("../stacks/config");
    const { buildStack } = await import("../stacks");
    const start = performance.now();
    buildStack(parseStackConfig("bench", benchConfig(n)));
    // Registrations complete asynchronously; wait until none has arrived for 200 ms.
    for (;;) {
        const before = count;
        await new Promise((r) => setTimeout(r, 200));
        if (count === before) break;
    }
    return { apps: n, resources: count, wallMs: last - start, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

const USAGE = `usage: npm run bench [-- --sizes <n,n,...>]

Evaluates the whole program under Pulumi's mock engine for each number of applications (a kind-like
stack, delivery patterns in rotation), each size in a fresh process, and prints resources
registered, wall time, ms per resource and peak RSS. Progress goes to stderr, the table to stdout.

  --sizes <list>  comma-separated application counts (default: 1,10,100,1000; 1000 takes about 30 s
                  and 1.7 GiB)
  -h, --help      this text`;

async function main(): Promise<void> {
    const child = process.argv.indexOf("--child");
    if (child >= 0) {
        const sample = await measure(Number(process.argv[child + 1]));
        process.stdout.write(JSON.stringify(sample) + "\n");
        return;
    }
    const sizes = parseSizesArgs(process.argv.slice(2), { defaults: [1, 10, 100, 1000], min: 0, usage: USAGE });
    const rows: Sample[] = [];
    for (const n of sizes) {
        process.stderr.write(`bench: ${n} application(s)... `);
        const out = execFileSync(process.execPath, [...process.execArgv, path.resolve(__filename), "--child", String(n)], {
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        rows.push(JSON.parse(out.trim().split("\n").pop()!));
        process.stderr.write(`${rows.at(-1)!.resources} resources in ${(rows.at(-1)!.wallMs / 1000).toFixed(1)} s\n`);
    }
    const header = ["applications", "resources", "wall ms", "ms/resource", "peak RSS MiB"];
    console.log(header.join("\t"));
    for (const r of rows) {
        console.log([r.apps, r.resources, r.wallMs.toFixed(0), (r.wallMs / r.resources).toFixed(3), r.peakRssMiB.toFixed(0)].join("\t"));
    }
    if (rows.length >= 2) {
        const a = rows[rows.length - 2]!;
        const b = rows[rows.length - 1]!;
        const growth = (b.wallMs / a.wallMs) / (b.resources / a.resources);
        console.log(`growth from ${a.apps} to ${b.apps} applications: time x${(b.wallMs / a.wallMs).toFixed(1)} for resources x${(b.resources / a.resources).toFixed(1)} (1.0 = linear: ${growth.toFixed(2)})`);
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
});
