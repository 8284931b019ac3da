/**
 * The kube tier's API server (scripts/kube-test-server.sh, with kube-controller-manager) owned by one
 * e2e test file: started in a private state dir on free ports, stopped at the end, and — for the
 * fault tests — its kube-apiserver stopped and started again on the same etcd data.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kube, waitUntil, type KubeEnv } from "../../kube/support/kube";
import { REPO_ROOT } from "./engine";

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, "scripts", "kube-test-server.sh");

/** Where the binaries are (scripts/build-kube.sh --path), and which are missing. */
export function missingKubeBinaries(): { dir: string; missing: string[] } {
    const dir = process.env.VAULTKIT_KUBE_BIN ?? execFileSync("bash", [join(REPO_ROOT, "scripts", "build-kube.sh"), "--path"], { encoding: "utf8" }).trim();
    return { dir, missing: ["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !existsSync(join(dir, b))) };
}

export interface KubeServer {
    env: KubeEnv;
    /** The admin kubeconfig (what the Pulumi program's Kubernetes provider reads through KUBECONFIG). */
    kubeconfig: string;
    /** An admin client. */
    kube: Kube;
    /** Stops kube-apiserver only (etcd and the controller-manager keep running). */
    stopApiServer(): Promise<void>;
    /** Starts kube-apiserver again with the same flags (same etcd data); resolves once /readyz answers. */
    startApiServer(): Promise<void>;
    /** Stops everything and removes the state dir. */
    stop(): Promise<void>;
}

/** Starts etcd + kube-apiserver + kube-controller-manager; VAULTKIT_KUBE_PORT etc. pass through. */
export async function startKubeServer(label: string): Promise<KubeServer> {
    const dir = mkdtempSync(join(tmpdir(), `vaultkit-kube-${label}-`));
    const scriptEnv = { ...process.env, VAULTKIT_KUBE_DIR: dir, VAULTKIT_KUBE_CONTROLLERS: "1" };
    const stop = async (): Promise<void> => {
        await run("bash", [SCRIPT, "stop"], { env: scriptEnv });
    };
    try {
        await run("bash", [SCRIPT, "start"], { env: scriptEnv, timeout: 300_000 });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        // The start's error is the one to report; a failed stop after it is only noted.
        await stop().catch((s) => console.warn(`[e2e] kube-test-server stop after a failed start: ${(s as Error).message}`));
        throw new Error(`kube-test-server.sh start failed: ${err.stderr?.trim() || err.message}`);
    }
    const vars: Record<string, string> = {};
    for (const line of readFileSync(join(dir, "kube.env"), "utf8").split("\n")) {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
        if (m) vars[m[1]!] = m[2]!;
    }
    const env: KubeEnv = {
        server: vars.VAULTKIT_KUBE_SERVER!,
        ca: readFileSync(vars.VAULTKIT_KUBE_CA_FILE!, "utf8"),
        caFile: vars.VAULTKIT_KUBE_CA_FILE!,
        token: vars.VAULTKIT_KUBE_TOKEN!,
        dir,
    };
    const kube = new Kube(env);
    const pidFile = join(dir, "kube-apiserver.pid");
    let argv: string[] | undefined;

    return {
        env,
        kubeconfig: vars.KUBECONFIG!,
        kube,
        async stopApiServer() {
            const pid = Number(readFileSync(pidFile, "utf8").trim());
            argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
            const gone = () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] === "Z";
            process.kill(pid, "SIGTERM");
            // A graceful stop drains open requests (the provider's watches among them); then it is killed.
            await waitUntil(gone, { timeoutMs: 20_000, what: "kube-apiserver to exit" }).catch(() => process.kill(pid, "SIGKILL"));
            await waitUntil(gone, { timeoutMs: 10_000, what: "kube-apiserver to exit after SIGKILL" });
        },
        async startApiServer() {
            if (!argv) throw new Error("startApiServer: the API server was not stopped by stopApiServer");
            const log = openSync(join(dir, "kube-apiserver.log"), "a");
            const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", log, log] });
            closeSync(log);
            child.unref();
            writeFileSync(pidFile, `${child.pid}\n`);
            await waitUntil(async () => (await kube.request("GET", "/readyz", { allow: [500, 503] })).body === "ok", { timeoutMs: 120_000, intervalMs: 300, what: "kube-apiserver /readyz after the restart" });
        },
        async stop() {
            kube.close();
            await stop();
        },
    };
}
