/**
 * A test-side kubelet for the kube tier's API server, which has none. It registers one fake Node
 * (and keeps its Lease and Ready condition fresh, so the node lifecycle controller never evicts),
 * binds every pending pod to it, and:
 *
 *   - marks Deployment (and other long-running) pods Running and Ready, so the real
 *     kube-controller-manager makes their Deployments available;
 *   - RUNS Job pods: the container's command runs here, with the machine's kubectl on PATH and a
 *     private KUBECONFIG holding a TokenRequest token of the pod's ServiceAccount, against the real
 *     API server. Gate scripts and their RBAC are exercised for real; the pod phase follows the exit
 *     code, so the Job controller completes (or fails) the Job;
 *   - finishes the deletion of pods that are being deleted (a kubelet confirming termination), so
 *     Deployments and namespaces can be deleted.
 *
 * Nothing here runs application containers: their images are never pulled.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kube, KubeObject } from "../../kube/support/kube";

/** The parts of a Pod this kubelet reads. */
export interface Pod extends KubeObject {
    spec: {
        nodeName?: string;
        serviceAccountName?: string;
        containers: { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[] }[];
        initContainers?: { name: string; image: string }[];
    };
    status?: { phase?: string };
}

/** One Job pod this kubelet ran. */
export interface JobRun {
    namespace: string;
    pod: string;
    /** The Job that owns the pod. */
    job: string;
    serviceAccount: string;
    exitCode: number;
    /** stdout and stderr, interleaved. */
    output: string;
}

export interface KubeletOptions {
    /** Default `vaultkit-fake-node`. */
    nodeName?: string;
    /** The kubectl Job scripts get on PATH. Default /usr/bin/kubectl. */
    kubectl?: string;
    /**
     * Called once per Job pod, after it is bound and before its command runs. Throwing fails the pod
     * (exit code 1, the message as output); the test uses it to assert what must not exist yet.
     */
    beforeJobPod?: (pod: Pod, job: string) => Promise<void>;
    /** Progress lines (default: none). */
    log?: (line: string) => void;
    /** How often pods are listed. Default 300 ms. */
    intervalMs?: number;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class FakeKubelet {
    readonly nodeName: string;
    /** Every Job pod run, in the order they finished. */
    readonly runs: JobRun[] = [];
    /** `namespace/pod` of every Job pod whose command started. */
    readonly started: string[] = [];
    /** Errors of the loop itself (an API call that failed); a test should expect none. */
    readonly errors: string[] = [];
    private readonly handled = new Set<string>();
    private readonly running = new Map<string, ChildProcess>();
    private readonly workDir: string;
    private readonly binDir: string;
    private timer?: NodeJS.Timeout;
    private heartbeat?: NodeJS.Timeout;
    private stopped = false;
    private tick: Promise<void> = Promise.resolve();
    private podIp = 10;

    constructor(
        private readonly kube: Kube,
        private readonly options: KubeletOptions = {},
    ) {
        this.nodeName = options.nodeName ?? "vaultkit-fake-node";
        this.workDir = mkdtempSync(join(tmpdir(), "vaultkit-kubelet-"));
        this.binDir = join(this.workDir, "bin");
        mkdirSync(this.binDir);
        symlinkSync(options.kubectl ?? "/usr/bin/kubectl", join(this.binDir, "kubectl"));
    }

    /** Registers the Node and starts binding and running pods. */
    async start(): Promise<void> {
        const node = { apiVersion: "v1", kind: "Node", metadata: { name: this.nodeName, labels: { "kubernetes.io/hostname": this.nodeName, "kubernetes.io/os": "linux" } } };
        if (!(await this.kube.get({ apiVersion: "v1", kind: "Node", name: this.nodeName }))) {
            await this.kube.create(node);
        }
        await this.beat();
        this.heartbeat = setInterval(() => void this.beat().catch((e) => this.errors.push(`heartbeat: ${(e as Error).message}`)), 10_000);
        const loop = (): void => {
            if (this.stopped) return;
            this.tick = this.sync()
                .catch((e) => {
                    // The API server may be down on purpose (fault tests): note it and keep going.
                    this.errors.push((e as Error).message);
                })
                .finally(() => {
                    if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs ?? 300);
                });
        };
        loop();
    }

    /** Stops the loops and kills any Job command still running. */
    async stop(): Promise<void> {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        if (this.heartbeat) clearInterval(this.heartbeat);
        for (const child of this.running.values()) child.kill("SIGKILL");
        await this.tick;
        rmSync(this.workDir, { recursive: true, force: true });
    }

    /** Node status and Lease, as a kubelet reports them. */
    private async beat(): Promise<void> {
        const t = now();
        await this.kube.patchStatus({ apiVersion: "v1", kind: "Node", name: this.nodeName }, {
            conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "vaultkit fake kubelet", lastHeartbeatTime: t, lastTransitionTime: t }],
            capacity: { cpu: "64", memory: "256Gi", pods: "1000" },
            allocatable: { cpu: "64", memory: "256Gi", pods: "1000" },
            addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
        });
        const lease = {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.nodeName, namespace: "kube-node-lease" },
            spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace(/Z$/, "000Z") },
        };
        await this.kube.apply(lease, { fieldManager: "vaultkit-fake-kubelet" });
    }

    private async sync(): Promise<void> {
        const pods = (await this.kube.list<Pod>("v1", "Pod")) as Pod[];
        for (const pod of pods) {
            const key = `${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`;
            const ref = { apiVersion: "v1", kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name };
            if (pod.metadata.deletionTimestamp) {
                this.running.get(key)?.kill("SIGKILL");
                await this.kube.delete(ref, { gracePeriodSeconds: 0 });
                continue;
            }
            if (!pod.spec.nodeName) {
                await this.kube.request("POST", `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
                    body: { apiVersion: "v1", kind: "Binding", metadata: { name: pod.metadata.name }, target: { apiVersion: "v1", kind: "Node", name: this.nodeName } },
                    allow: [409],
                });
                continue;
            }
            if (pod.spec.nodeName !== this.nodeName || this.handled.has(key)) continue;
            this.handled.add(key);
            const owner = (pod.metadata.ownerReferences as { kind: string; name: string }[] | undefined)?.find((o) => o.kind === "Job");
            if (owner) {
                void this.runJobPod(pod, owner.name, key).catch((e) => this.errors.push(`job pod ${key}: ${(e as Error).message}`));
            } else {
                await this.kube.patchStatus(ref, this.runningStatus(pod, true));
            }
        }
    }

    /** A Running pod's status; Ready for long-running pods, not for a Job pod still at work. */
    private runningStatus(pod: Pod, ready: boolean): Record<string, unknown> {
        const t = now();
        const cond = (type: string, status: boolean) => ({ type, status: status ? "True" : "False", lastTransitionTime: t });
        return {
            phase: "Running",
            hostIP: "127.0.0.1",
            podIP: `10.244.${Math.floor(this.podIp / 250)}.${(this.podIp++ % 250) + 2}`,
            startTime: t,
            conditions: [cond("PodScheduled", true), cond("Initialized", true), cond("ContainersReady", ready), cond("Ready", ready)],
            initContainerStatuses: (pod.spec.initContainers ?? []).map((c) => ({
                name: c.name,
                image: c.image,
                imageID: "",
                ready: true,
                restartCount: 0,
                state: { terminated: { exitCode: 0, reason: "Completed", startedAt: t, finishedAt: t } },
            })),
            containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image, imageID: "", ready, started: true, restartCount: 0, state: { running: { startedAt: t } } })),
        };
    }

    private async runJobPod(pod: Pod, job: string, key: string): Promise<void> {
        const ns = pod.metadata.namespace!;
        const ref = { apiVersion: "v1", kind: "Pod", namespace: ns, name: pod.metadata.name };
        const sa = pod.spec.serviceAccountName ?? "default";
        await this.kube.patchStatus(ref, this.runningStatus(pod, false));
        let exitCode: number;
        let output: string;
        try {
            await this.options.beforeJobPod?.(pod, job);
            this.started.push(`${ns}/${pod.metadata.name}`);
            ({ exitCode, output } = await this.execute(pod, sa, key));
        } catch (e) {
            exitCode = 1;
            output = `fake kubelet: ${(e as Error).message}`;
        }
        this.runs.push({ namespace: ns, pod: pod.metadata.name, job, serviceAccount: sa, exitCode, output });
        this.options.log?.(`job pod ${ns}/${pod.metadata.name} (${job}, as ${sa}) exited ${exitCode}`);
        const t = now();
        const container = pod.spec.containers[0]!;
        await this.kube.patchStatus(ref, {
            phase: exitCode === 0 ? "Succeeded" : "Failed",
            conditions: [
                { type: "PodScheduled", status: "True", lastTransitionTime: t },
                { type: "Initialized", status: "True", lastTransitionTime: t },
                { type: "ContainersReady", status: "False", reason: "PodCompleted", lastTransitionTime: t },
                { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: t },
            ],
            containerStatuses: [
                {
                    name: container.name,
                    image: container.image,
                    imageID: "",
                    ready: false,
                    started: false,
                    restartCount: 0,
                    state: { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt: t, finishedAt: t } },
                },
            ],
        });
    }

    /** Runs the pod's first container command here, as the pod's ServiceAccount. */
    private async execute(pod: Pod, serviceAccount: string, key: string): Promise<{ exitCode: number; output: string }> {
        const container = pod.spec.containers[0]!;
        const argv = [...(container.command ?? []), ...(container.args ?? [])];
        if (argv.length === 0) {
            throw new Error(`pod ${key} has no command to run (image entrypoints are not available here)`);
        }
        const ns = pod.metadata.namespace!;
        // What the kubelet projects into the pod: a token of its ServiceAccount for the API server's audience.
        const { token } = await this.kube.createToken(ns, serviceAccount);
        const dir = mkdtempSync(join(this.workDir, "pod-"));
        const kubeconfig = join(dir, "kubeconfig");
        writeFileSync(
            kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "in-cluster", cluster: { server: this.kube.env.server, "certificate-authority": this.kube.env.caFile } }],
                users: [{ name: serviceAccount, user: { token } }],
                contexts: [{ name: "in-cluster", context: { cluster: "in-cluster", user: serviceAccount, namespace: ns } }],
                "current-context": "in-cluster",
            }),
            { mode: 0o600 },
        );
        const env: Record<string, string> = {};
        for (const e of container.env ?? []) {
            if (e.value !== undefined) env[e.name] = e.value;
        }
        // The pod's HOME is an emptyDir; here a private directory stands in for it.
        Object.assign(env, { HOME: dir, KUBECONFIG: kubeconfig, PATH: `${this.binDir}:/usr/local/bin:/usr/bin:/bin` });
        return new Promise((resolve) => {
            const child = spawn(argv[0]!, argv.slice(1), { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
            this.running.set(key, child);
            let output = "";
            child.stdout.on("data", (d: Buffer) => (output += d.toString()));
            child.stderr.on("data", (d: Buffer) => (output += d.toString()));
            child.on("error", (e) => (output += `spawn ${argv[0]}: ${e.message}\n`));
            child.on("close", (code, signal) => {
                this.running.delete(key);
                resolve({ exitCode: code ?? (signal ? 137 : 1), output });
            });
        });
    }
}
