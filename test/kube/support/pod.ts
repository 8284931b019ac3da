/**
 * Runs a pod's container commands on the test machine, the way the container would run them: the
 * exact command text from the pod spec, with `sh`, `curl` and `psql` from the machine, and every
 * in-pod path relocated under a directory laid out like the pod's volume mounts
 * (`VAULTKIT_POD_ROOT`, which the generated scripts honour and a pod never sets; see
 * components/delivery/scripts.ts). The projected token volume holds what the kubelet would write.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POD_ROOT_VAR } from "../../../components/delivery/scripts";
import type { Pod, PodTemplate } from "./stack";

type Container = PodTemplate["spec"]["containers"][number];

/** A running container command and everything it printed so far. */
export interface RunningContainer {
    child: ChildProcess;
    output: () => string;
    /** Resolves with the exit code (or the signal's name). */
    exited: Promise<number | string>;
}

export class PodRoot {
    private readonly running: RunningContainer[] = [];

    private constructor(
        readonly pod: Pod,
        readonly dir: string,
    ) {}

    /** A fresh directory with every container's mount points, and `token` in the projected token volume. */
    static create(pod: Pod, token: string): PodRoot {
        const root = new PodRoot(pod, mkdtempSync(join(tmpdir(), `vaultkit-pod-${pod.metadata.name}-`)));
        chmodSync(root.dir, 0o700);
        for (const c of pod.spec.containers) {
            for (const m of c.volumeMounts) {
                mkdirSync(root.path(m.mountPath), { recursive: true });
            }
        }
        let written = 0;
        for (const v of pod.spec.volumes) {
            const source = v.projected?.sources.find((s) => s.serviceAccountToken)?.serviceAccountToken;
            if (!source) continue;
            for (const c of pod.spec.containers) {
                for (const m of c.volumeMounts.filter((x) => x.name === v.name)) {
                    writeFileSync(root.path(`${m.mountPath}/${source.path}`), token, { mode: 0o600 });
                    written++;
                }
            }
        }
        if (written === 0) {
            throw new Error(`pod ${pod.metadata.name} mounts no projected service account token`);
        }
        return root;
    }

    /** Where an in-pod path lives on this machine. */
    path(inPod: string): string {
        if (!inPod.startsWith("/")) {
            throw new Error(`not an absolute in-pod path: ${inPod}`);
        }
        return join(this.dir, inPod);
    }

    /** An in-pod file's content, or undefined while it does not exist. */
    read(inPod: string): string | undefined {
        try {
            return readFileSync(this.path(inPod), "utf8");
        } catch {
            return undefined;
        }
    }

    container(name: string): Container {
        const c = this.pod.spec.containers.find((x) => x.name === name);
        if (!c) {
            throw new Error(`pod ${this.pod.metadata.name} has no container ${name}`);
        }
        return c;
    }

    /** The container's environment (HOME, an in-pod directory, relocated), the machine's PATH, and the pod root. */
    env(c: Container): NodeJS.ProcessEnv {
        const own = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.name === "HOME" ? this.path(e.value) : e.value]));
        return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...own, [POD_ROOT_VAR]: this.dir };
    }

    /** Starts `command` (the container's own, unless given) in its own process group. */
    start(containerName: string, command: string[] = this.container(containerName).command): RunningContainer {
        const c = this.container(containerName);
        const child = spawn(command[0]!, command.slice(1), { env: this.env(c), detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout!.on("data", (d) => (out += d));
        child.stderr!.on("data", (d) => (out += d));
        const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
        const r = { child, output: () => out, exited };
        this.running.push(r);
        return r;
    }

    /** Runs `command` to the end; returns its exit code and output. */
    async run(containerName: string, command: string[]): Promise<{ code: number | string; output: string }> {
        const r = this.start(containerName, command);
        const code = await r.exited;
        return { code, output: r.output() };
    }

    /** SIGTERM to the command itself (what the kubelet sends), then waits for it to exit. */
    async stop(r: RunningContainer): Promise<number | string> {
        if (r.child.exitCode === null && r.child.signalCode === null) {
            r.child.kill("SIGTERM");
        }
        return r.exited;
    }

    /** Kills whatever is left of every started process group (e.g. a `sleep` the script forked) and removes the directory. */
    cleanup(): void {
        for (const r of this.running) {
            try {
                process.kill(-r.child.pid!, "SIGKILL");
            } catch {
                // the group is gone already
            }
        }
        rmSync(this.dir, { recursive: true, force: true });
    }
}
