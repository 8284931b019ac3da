/**
 * Running a gate Job's script (components/kubernetes/kubectlJob.ts) outside a pod, against the kube tier's
 * real kube-apiserver: its ServiceAccount, Role/ClusterRole and bindings are what the component
 * registered under the mock engine (which generates names as the provider does), the script is the
 * Job's container command, and it runs with a real `kubectl` authenticated as that ServiceAccount by
 * a TokenRequest token. So a test proves the script's behaviour and that its RBAC is enough; `canI`
 * shows what the RBAC does not allow.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registration, one } from "../../support/mocks";
import { Kube, KubeObject } from "./kube";

/** The kubectl the scripts run with: the image's kubectl in a pod, this machine's here. */
export const KUBECTL = process.env.VAULTKIT_KUBECTL ?? "kubectl";

/** Fails (never skips) when there is no kubectl: the gate tests run the Jobs' scripts with it. */
export function requireKubectl(): void {
    const r = spawnSync(KUBECTL, ["version", "--client"], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`kube tier: the gate-script tests run the Jobs' scripts with kubectl, and '${KUBECTL}' does not run (${r.error?.message ?? r.stderr}); install kubectl or set VAULTKIT_KUBECTL`);
    }
}

/** The API group/version and kind of a `kubernetes:<group>/<version>:<Kind>` registration. */
function typeOf(r: Registration): { apiVersion: string; kind: string } {
    const m = /^kubernetes:(?:core\/)?([^:]+):([A-Za-z]+)$/.exec(r.type);
    if (!m) throw new Error(`not a Kubernetes registration: ${r.type}`);
    return { apiVersion: m[1]!, kind: m[2]! };
}

/**
 * The RBAC a gate declared as `<prefix>-sa`, `-role`/`-rolebinding` and `-clusterrole`/
 * `-clusterrolebinding`, as objects to apply: the registered inputs, with the names the mock engine
 * generated as the provider does (so the bindings' subjects and roleRefs are the component's own),
 * except that cluster-scoped ones get `-<suffix>` to be unique per run.
 */
export function gateRbac(prefix: string, suffix: string): { serviceAccount: string; objects: KubeObject[] } {
    const asObject = (r: Registration, name: string = r.inputs.metadata.name): KubeObject => ({ ...typeOf(r), ...r.inputs, metadata: { ...r.inputs.metadata, name } }) as KubeObject;
    const sa = one("kubernetes:core/v1:ServiceAccount", `${prefix}-sa`);
    const objects: KubeObject[] = [asObject(sa)];
    const role = maybeOne("kubernetes:rbac.authorization.k8s.io/v1:Role", `${prefix}-role`);
    if (role) {
        objects.push(asObject(role), asObject(one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${prefix}-rolebinding`)));
    }
    const clusterRole = maybeOne("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", `${prefix}-clusterrole`);
    if (clusterRole) {
        const binding = one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `${prefix}-clusterrolebinding`);
        if (binding.inputs.roleRef.name !== clusterRole.inputs.metadata.name) {
            throw new Error(`${prefix}-clusterrolebinding names ClusterRole '${binding.inputs.roleRef.name}', not '${clusterRole.inputs.metadata.name}'`);
        }
        const roleName = `${prefix}-clusterrole-${suffix}`;
        objects.push(asObject(clusterRole, roleName), { ...asObject(binding, `${prefix}-clusterrolebinding-${suffix}`), roleRef: { ...binding.inputs.roleRef, name: roleName } });
    }
    return { serviceAccount: sa.inputs.metadata.name, objects };
}

function maybeOne(type: string, name: string): Registration | undefined {
    try {
        return one(type, name);
    } catch {
        return undefined;
    }
}

/** The script of the gate's Job (`/bin/sh -c <script>`), exactly as registered. */
export function gateScript(prefix: string): string {
    const job = one("kubernetes:batch/v1:Job", `${prefix}-job`);
    const command = job.inputs.spec.template.spec.containers[0].command as string[];
    if (command.length !== 3 || command[0] !== "/bin/sh" || command[1] !== "-c") throw new Error(`${prefix}-job: unexpected command ${JSON.stringify(command)}`);
    return command[2]!;
}

/** A kubeconfig for a ServiceAccount: the server, its CA and a TokenRequest token (what the pod's projected token is). */
export class ServiceAccountKubeconfig {
    readonly dir = mkdtempSync(join(tmpdir(), "vaultkit-gate-"));
    readonly path = join(this.dir, "kubeconfig");

    private constructor() {}

    static async create(kube: Kube, namespace: string, serviceAccount: string): Promise<ServiceAccountKubeconfig> {
        const k = new ServiceAccountKubeconfig();
        const { token } = await kube.createToken(namespace, serviceAccount, { expirationSeconds: 3600 });
        const config = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "kube", cluster: { server: kube.env.server, "certificate-authority": kube.env.caFile } }],
            users: [{ name: serviceAccount, user: { token } }],
            contexts: [{ name: "sa", context: { cluster: "kube", user: serviceAccount, namespace } }],
            "current-context": "sa",
        };
        writeFileSync(k.path, JSON.stringify(config), { mode: 0o600 });
        return k;
    }

    /** `kubectl auth can-i` as this ServiceAccount. */
    canI(verb: string, resource: string, namespace?: string): boolean {
        const args = ["auth", "can-i", verb, resource, ...(namespace ? ["-n", namespace] : [])];
        const r = spawnSync(KUBECTL, args, { env: { PATH: process.env.PATH, KUBECONFIG: this.path, HOME: this.dir }, encoding: "utf8" });
        return r.stdout.trim() === "yes";
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A running script: its output so far, and its end. */
export interface RunningScript {
    output(): string;
    done: Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }>;
    /** True until it exits. */
    running(): boolean;
    kill(): void;
}

/**
 * Runs a gate script the way the Job's container does (`/bin/sh -c`), with kubectl as the
 * ServiceAccount (none for a container that gets no API token); `env` adds the container's env.
 */
export function runScript(script: string, kubeconfig: ServiceAccountKubeconfig | undefined, env: Record<string, string> = {}): RunningScript {
    const started = Date.now();
    const proc = spawn("/bin/sh", ["-c", script], {
        // Only what the kubectl images also have: sh, kubectl, coreutils, sed, grep.
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(kubeconfig ? { HOME: kubeconfig.dir, KUBECONFIG: kubeconfig.path } : {}), ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let exited = false;
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }>((resolve) =>
        proc.on("exit", (code) => {
            exited = true;
            // Let the pipes drain.
            setTimeout(() => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }), 50);
        }),
    );
    return { output: () => stdout + stderr, done, running: () => !exited, kill: () => proc.kill("SIGKILL") };
}

/** Waits until the script printed `needle` (or ended), up to `ms`. */
export async function waitForOutput(run: RunningScript, needle: string | RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    const hit = () => (typeof needle === "string" ? run.output().includes(needle) : needle.test(run.output()));
    while (!hit()) {
        if (!run.running()) throw new Error(`the script ended without printing ${needle}; output:\n${run.output()}`);
        if (Date.now() > deadline) throw new Error(`the script did not print ${needle} within ${ms} ms; output:\n${run.output()}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}
