/**
 * The component package from another language, on the real engine: one delivery component
 * (InjectedSecret: a ServiceAccount and a Deployment, Kubernetes objects only) declared by
 *
 *   - a Pulumi YAML program (`runtime: yaml`, pulumi-language-yaml v1.25.0 from the Go module proxy):
 *     `type: vaultkit:index:InjectedSecret`, served by the package's provider plugin
 *     (`pulumi-resource-vaultkit`, Pulumi's componentProviderHost over components/index.ts) with the
 *     schema Pulumi's analyzer infers from the TypeScript sources;
 *   - a TypeScript program importing `vaultkit` as installed from the `npm pack` tarball,
 *
 * each through the real CLI against a real kube-apiserver + kube-controller-manager (a test-side
 * kubelet marks the Deployment's pods Ready, so the provider's rollout wait ends): `up` creates the
 * objects with the fields the component promises (the same spec from both languages), `preview`
 * then reports nothing but `same`, and `destroy` leaves the namespace as it found it.
 *
 * The YAML program and the provider plugin come from the same installed tarball as the TypeScript
 * program's import: this is what a consumer in another language gets.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { waitUntil, type Kube, type KubeObject } from "../kube/support/kube";
import { cleanUp, engineBinDir, engineSandbox, missingBinaries, packCheckout, precondition, REPO_ROOT, runCommand as run, type EngineSandbox } from "./support/engine";
import { FakeKubelet } from "./support/kubelet";
import { missingKubeBinaries, startKubeServer, type KubeServer } from "./support/kubeServer";

/** The engine binaries both programs need (the YAML host for one, the Node.js host for the other). */
const BINARIES = ["pulumi", "pulumi-language-yaml", "pulumi-language-nodejs", "pulumi-resource-kubernetes"];
const missing = [
    ...missingBinaries(BINARIES).map((b) => `${b} (scripts/build-pulumi-engine.sh)`),
    ...missingKubeBinaries().missing.map((b) => `${b} (scripts/build-kube.sh)`),
];
const skip = precondition(missing.length === 0, `missing in ${engineBinDir()} or the kube bin dir: ${missing.join(", ")}`);

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const rootPkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
const id = randomBytes(3).toString("hex");
const COMPONENT = "vaultkit:index:InjectedSecret";
const VAULT_PATH = "kv/data/orders/config";

/** The ConfigMap each program creates beside the component; its name, an output, feeds the nested `login.role`. */
const ROLE_SOURCE = "orders";

/**
 * The component's arguments, the same for both programs but the namespace and `role`: each program's
 * expression for the ConfigMap's `metadata.name`, so a nested field arrives as another resource's output.
 */
function appArgs(namespace: string, role: string) {
    return {
        namespace,
        login: { role },
        files: [{ fileName: "config.json", apiPath: VAULT_PATH, template: `{{- with secret "${VAULT_PATH}" -}}{{ .Data.data | toJSONPretty }}{{- end }}` }],
        workload: { serviceAccountName: "orders", createServiceAccount: true, labels: { team: "orders" } },
        container: { image: "registry.access.redhat.com/ubi9/ubi-minimal:9.6" },
    };
}


type Deployment = KubeObject & { spec: { template: { metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: { serviceAccountName: string; containers: { name: string; image: string }[] } } } };

describe.skipIf(skip !== undefined)("a delivery component from YAML and from TypeScript through the component package, on the real engine", () => {
    let dir: string;
    let consumer: string;
    let server: KubeServer;
    let kube: Kube;
    let kubelet: FakeKubelet;
    let sandbox: EngineSandbox;
    let pulumiCommand: PulumiCommand;
    const stacks: Stack[] = [];
    const namespaces: string[] = [];

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "vaultkit-multi-language-"));
        // `npm pack` runs `prepare` (the build), as a publish would; one install serves both programs.
        const pack = packCheckout(dir);
        expect(pack.result.status, pack.result.out).toBe(0);
        const tarball = join(dir, pack.packed.filename);
        consumer = join(dir, "typescript");
        mkdirSync(consumer);
        writeFileSync(
            join(consumer, "package.json"),
            JSON.stringify({
                name: "vaultkit-typescript-consumer",
                private: true,
                main: "index.ts",
                dependencies: { vaultkit: `file:${tarball}`, "@pulumi/pulumi": rootPkg.dependencies["@pulumi/pulumi"], "@pulumi/kubernetes": rootPkg.dependencies["@pulumi/kubernetes"] },
                devDependencies: { typescript: rootPkg.devDependencies.typescript, "@types/node": rootPkg.devDependencies["@types/node"] },
            }),
        );
        const install = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund"], consumer);
        expect(install.status, install.out).toBe(0);

        server = await startKubeServer("multi-language");
        kube = server.kube;
        kubelet = new FakeKubelet(kube);
        await kubelet.start();
        sandbox = engineSandbox("multi-language");
        // npm links the package's `bin` (pulumi-resource-vaultkit) here: the engine finds the plugin on PATH.
        sandbox.env.PATH = [join(consumer, "node_modules", ".bin"), sandbox.env.PATH].join(delimiter);
        sandbox.env.KUBECONFIG = server.kubeconfig;
        pulumiCommand = await PulumiCommand.get({ root: dirname(engineBinDir()), skipVersionCheck: true });
    }, 900_000);

    afterAll(async () => {
        await cleanUp([
            ...stacks.map((s): [string, () => unknown] => [`destroy ${s.name}`, () => s.destroy({ onOutput: () => undefined })]),
            ...stacks.map((s): [string, () => unknown] => [`stack rm ${s.name}`, () => s.workspace.removeStack(s.name, { force: true })]),
            ...namespaces.map((ns): [string, () => unknown] => [`namespace ${ns}`, () => kube?.delete({ apiVersion: "v1", kind: "Namespace", name: ns })]),
            ["sandbox", () => sandbox?.dispose()],
            ["kubelet", () => kubelet?.stop()],
            ["kube server", () => server?.stop()],
            ["scratch dir", () => dir && rmSync(dir, { recursive: true, force: true })],
        ]);
    }, 600_000);

    /** The component's objects in a namespace: Deployments, ServiceAccounts (not `default`), ReplicaSets, Pods. */
    async function objectCounts(namespace: string): Promise<Record<string, number>> {
        const count = async (apiVersion: string, kind: string) => (await kube.list(apiVersion, kind, namespace)).filter((o) => o.metadata.name !== "default").length;
        return {
            Deployment: await count("apps/v1", "Deployment"),
            ServiceAccount: await count("v1", "ServiceAccount"),
            ReplicaSet: await count("apps/v1", "ReplicaSet"),
            Pod: await count("v1", "Pod"),
        };
    }

    /** Makes the namespace (the platform team's, as the component expects) and a stack of the program `write` puts in place. */
    async function prepare(language: string, namespace: string, write: (namespace: string) => string): Promise<Stack> {
        await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
        namespaces.push(namespace);
        const stack = await LocalWorkspace.createOrSelectStack({ stackName: `e2e-${language}-${id}`, workDir: write(namespace) }, { envVars: sandbox.env, pulumiCommand });
        stacks.push(stack);
        return stack;
    }

    const specs: Record<string, Deployment["spec"]> = {};

    /** up, a no-change preview and destroy of one program; `viaProvider`: the component is a remote one (YAML). */
    function lifecycle(language: string, program: (namespace: string) => string, viaProvider: boolean): void {
        const namespace = `ml-${language}-${id}`;
        let stack: Stack;

        it(`${language}: up creates the component's ServiceAccount and Deployment as the component declares them`, async () => {
            stack = await prepare(language, namespace, program);
            const up = await stack.up({ onOutput: () => undefined });
            expect(up.summary.result).toBe("succeeded");
            expect(up.outputs.deploymentName?.value).toBe("orders");

            const deployment = await kube.get<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "orders" });
            expect(deployment, "the Deployment").toBeDefined();
            const pod = deployment!.spec.template;
            expect(pod.spec.serviceAccountName).toBe("orders");
            expect(pod.spec.containers.map((c) => c.image)).toEqual(["registry.access.redhat.com/ubi9/ubi-minimal:9.6"]);
            expect(pod.metadata.labels.team).toBe("orders");
            expect(pod.metadata.annotations).toMatchObject({
                "vault.hashicorp.com/agent-inject": "true",
                "vault.hashicorp.com/role": "orders",
                "vault.hashicorp.com/auth-path": "auth/kubernetes",
                "vault.hashicorp.com/agent-inject-secret-config.json": VAULT_PATH,
            });
            expect(await kube.get({ apiVersion: "v1", kind: "ServiceAccount", namespace, name: "orders" }), "the ServiceAccount").toBeDefined();
            specs[language] = deployment!.spec;

            // login.role came from the ConfigMap's output: the Deployment depends on it, through the component.
            expect(await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: ROLE_SOURCE }), "the role's ConfigMap").toBeDefined();

            // The engine's view: the component and its two children, and (YAML only) the package's provider, which
            // served the component (a TypeScript program constructs it in its own process, with no such provider).
            const state = (await stack.exportStack()).deployment.resources as { urn: string; type: string; parent?: string; provider?: string }[];
            const component = state.find((r) => r.type === COMPONENT);
            expect(component, `${COMPONENT} in the state`).toBeDefined();
            expect(state.filter((r) => r.parent === component!.urn).map((r) => r.type).sort()).toEqual(["kubernetes:apps/v1:Deployment", "kubernetes:core/v1:ServiceAccount"]);
            expect(state.some((r) => r.type === "pulumi:providers:vaultkit")).toBe(viaProvider);
            const roleSource = state.find((r) => r.type === "kubernetes:core/v1:ConfigMap");
            const deploymentState = state.find((r) => r.type === "kubernetes:apps/v1:Deployment") as { dependencies?: string[] } | undefined;
            expect(deploymentState?.dependencies, "the Deployment waits for what fed login.role").toContain(roleSource?.urn);
        });

        it(`${language}: a second preview reports no changes`, async () => {
            const preview = await stack.preview({ onOutput: () => undefined });
            // The stack, the ConfigMap, the component and its two children (the summary does not count providers).
            expect(preview.changeSummary).toEqual({ same: 5 });
        });

        it(`${language}: destroy removes every object the up created`, async () => {
            expect(await objectCounts(namespace)).toMatchObject({ Deployment: 1, ServiceAccount: 1 });
            const destroy = await stack.destroy({ onOutput: () => undefined });
            expect(destroy.summary.result).toBe("succeeded");
            expect(await objectCounts(namespace)).toMatchObject({ Deployment: 0, ServiceAccount: 0 });
            expect(await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: ROLE_SOURCE }), "the role's ConfigMap").toBeUndefined();
            // ReplicaSets and Pods go with their Deployment through the controller-manager's garbage collector.
            await waitUntil(async () => Object.values(await objectCounts(namespace)).every((n) => n === 0), { timeoutMs: 120_000, what: `${namespace} to be empty` });
        });
    }

    lifecycle(
        "yaml",
        (namespace) => {
            const workDir = join(dir, "yaml-program");
            mkdirSync(workDir);
            writeFileSync(
                join(workDir, "Pulumi.yaml"),
                stringify({
                    name: "vaultkit-yaml-consumer",
                    runtime: "yaml",
                    resources: {
                        roleSource: { type: "kubernetes:core/v1:ConfigMap", properties: { metadata: { name: ROLE_SOURCE, namespace }, data: { team: "orders" } } },
                        orders: { type: COMPONENT, properties: appArgs(namespace, "${roleSource.metadata.name}") },
                    },
                    outputs: { deploymentName: "${orders.deploymentName}" },
                }),
            );
            return workDir;
        },
        true,
    );

    lifecycle(
        "typescript",
        (namespace) => {
            writeFileSync(join(consumer, "Pulumi.yaml"), stringify({ name: "vaultkit-typescript-consumer", runtime: { name: "nodejs", options: { typescript: true } }, main: "index.ts" }));
            writeFileSync(
                join(consumer, "index.ts"),
                [
                    `import * as k8s from "@pulumi/kubernetes";`,
                    `import { InjectedSecret } from "vaultkit";`,
                    ``,
                    `const roleSource = new k8s.core.v1.ConfigMap("roleSource", { metadata: { name: "${ROLE_SOURCE}", namespace: "${namespace}" }, data: { team: "orders" } });`,
                    `const orders = new InjectedSecret("orders", ${JSON.stringify(appArgs(namespace, "@ROLE@"), null, 4).replace('"@ROLE@"', "roleSource.metadata.name")});`,
                    ``,
                    `export const deploymentName = orders.deploymentName;`,
                    ``,
                ].join("\n"),
            );
            return consumer;
        },
        false,
    );

    it("both languages produced the same Deployment spec", () => {
        expect(Object.keys(specs).sort()).toEqual(["typescript", "yaml"]);
        expect(specs.yaml).toEqual(specs.typescript);
    });
});
