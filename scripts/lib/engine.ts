/**
 * A recording mock engine: runs a Pulumi program under `pulumi.runtime.setMocks` with no CLI, no
 * cluster and no backend, and captures every registration exactly as the engine would receive it
 * (wire format: secrets still marked, unknowns still unknown), with parents, dependencies, provider
 * references and resource options.
 *
 * By default the program runs as a *preview* (`isDryRun() === true`), like `pulumi preview` in a pull
 * request: provider-computed outputs the mocks do not return are unknown, and anything derived from
 * them is rendered as "[unknown until deployment]".
 */
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { kubernetesAutoname } from "./autoname";
import { digest, mockSecretValue } from "./mockValues";
import { SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, Wire, isWireSecret } from "./wire";

export { digest, mockSecretValue };

/** One registration as the engine saw it. */
export interface CapturedResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN ("" for the root stack). */
    parent: string;
    custom: boolean;
    /** Remote component (e.g. `kubernetes:helm.sh/v4:Chart`): its children are created by the provider. */
    remote: boolean;
    /** Registered through `.get()` (a read of an existing object), not owned by the program. */
    read: boolean;
    /** Inputs in wire format. */
    inputs: Record<string, Wire>;
    /** Explicit or inherited provider reference (`<provider urn>::<id>`). */
    provider: string;
    /** URNs this resource depends on (`dependsOn` plus the resources its inputs came from), sorted. */
    dependencies: string[];
    /** Outputs the resource's SDK declares secret (`additionalSecretOutputs`). */
    additionalSecretOutputs: string[];
    /** Resource options worth reviewing (only those that are set). */
    options: Record<string, Plainish>;
    /** Outputs registered by a component (`registerOutputs`), wire format. */
    outputs?: Record<string, Wire>;
    /** The Kubernetes provider would auto-name this object (`metadata.name` was filled in by the mock). */
    autonamed?: boolean;
}

/** What the Kubernetes provider's Check does before sending an object (see ./autoname). */
function autoname(r: CapturedResource): void {
    const name = kubernetesAutoname(r);
    if (name === undefined) return;
    const md = r.inputs.metadata as Record<string, Wire> | undefined;
    r.inputs.metadata = { ...(md ?? {}), name };
    r.autonamed = true;
}

type Plainish = boolean | string | string[] | Record<string, string>;

/** One invoke (data source / function call) the program made. */
export interface CapturedInvoke {
    token: string;
    inputs: Wire;
}

/** Everything one program run registered. */
export interface Capture {
    project: string;
    stack: string;
    preview: boolean;
    resources: CapturedResource[];
    invokes: CapturedInvoke[];
    /** Outputs of the root stack resource, wire format. */
    stackOutputs: Record<string, Wire>;
    /** Plain values the mocks handed out as secrets (to search the rendered output for leaks). */
    injectedSecrets: string[];
    /** Warnings the program or SDK logged. */
    warnings: string[];
}

/** How to run a program. */
export interface CaptureOptions {
    project: string;
    stack: string;
    /** Flat config (`ns:key` -> string), as `pulumi config` would hand it to the program. */
    config?: Record<string, string>;
    /** Config keys that are secret. */
    secretConfigKeys?: string[];
    /** Secret values the caller injected (e.g. `secure:` config placeholders). */
    injectedSecrets?: string[];
    /** The program. Its return value becomes the stack outputs. */
    program: () => unknown;
    /** Run as a preview (default true). */
    preview?: boolean;
}

/** Thrown when the program failed or logged errors; `messages` lists every one of them. */
export class CaptureError extends Error {
    constructor(public readonly messages: string[]) {
        super(`the program failed under the mock engine:\n${messages.map((m) => `  - ${m}`).join("\n")}`);
        this.name = "CaptureError";
    }
}


function secret(value: Wire): Wire {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** The provider-computed outputs the mocks fake, by type. Anything not returned is unknown in a preview. */
function computedState(r: CapturedResource, inputs: Record<string, Wire>, injected: Set<string>): { id: string; extra: Record<string, Wire> } {
    const plainInputs = inputs;
    const num = (k: string, d: number) => (typeof plainInputs[k] === "number" ? (plainInputs[k] as number) : d);
    const str = (k: string) => (typeof plainInputs[k] === "string" && plainInputs[k] !== UNKNOWN_VALUE ? (plainInputs[k] as string) : undefined);
    const seed = r.urn;
    switch (r.type) {
        case "random:index/randomPassword:RandomPassword": {
            const result = mockSecretValue(seed, num("length", 32));
            const bcrypt = `$2a$10$${mockSecretValue(seed + "#bcrypt", 53)}`;
            injected.add(result);
            injected.add(bcrypt);
            return { id: "none", extra: { result: secret(result), bcryptHash: secret(bcrypt) } };
        }
        case "random:index/randomString:RandomString": {
            const result = ("vkmockrandom" + digest(seed, 64)).slice(0, num("length", 16));
            return { id: result, extra: { result } };
        }
        case "random:index/randomId:RandomId": {
            const hex = digest(seed, num("byteLength", 8) * 2);
            const buf = Buffer.from(hex, "hex");
            return {
                id: buf.toString("base64url"),
                extra: { hex, b64Std: buf.toString("base64"), b64Url: buf.toString("base64url"), dec: BigInt("0x" + hex).toString() },
            };
        }
        case "random:index/randomUuid:RandomUuid": {
            const h = digest(seed, 32);
            const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
            return { id: uuid, extra: { result: uuid } };
        }
        case "random:index/randomInteger:RandomInteger": {
            const min = num("min", 0);
            return { id: String(min), extra: { result: min } };
        }
        case "random:index/randomPet:RandomPet": {
            const pet = `mock-pet-${digest(seed, 6)}`;
            return { id: pet, extra: {} };
        }
        case "vault:index/authBackend:AuthBackend": {
            const path = str("path") ?? str("type");
            return { id: path ?? "", extra: path ? { path } : {} };
        }
        case "vault:index/mount:Mount":
        case "vault:database/secretsMount:SecretsMount":
            return { id: str("path") ?? "", extra: {} };
        case "vault:index/policy:Policy":
            return { id: str("name") ?? "", extra: {} };
        case "vault:kv/secretV2:SecretV2": {
            const mount = str("mount");
            const name = str("name");
            return { id: mount && name ? `${mount}/data/${name}` : "", extra: mount && name ? { path: `${mount}/data/${name}` } : {} };
        }
        default:
            break;
    }
    if (r.type.startsWith("kubernetes:") && r.custom) {
        const md = plainInputs.metadata;
        if (md && typeof md === "object" && !Array.isArray(md) && !isWireSecret(md)) {
            const meta = md as Record<string, Wire>;
            const name = meta.name;
            const ns = meta.namespace;
            const id = typeof name === "string" && name !== UNKNOWN_VALUE ? (typeof ns === "string" && ns !== UNKNOWN_VALUE ? `${ns}/${name}` : name) : "";
            return { id, extra: {} };
        }
    }
    // Anything else: no faked outputs; in a preview the engine leaves them unknown.
    return { id: "", extra: {} };
}

/** Invokes the mocks can answer. */
function answerInvoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (token === "kubernetes:yaml:decodeYaml") {
        const text = typeof inputs.text === "string" ? inputs.text : "";
        return { result: YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter((d) => d !== null && d !== undefined) };
    }
    return {};
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `opts.program` under the mock engine and returns what it registered. Calls are serialised:
 * Pulumi's runtime is process-global, so two captures never overlap.
 */
export function capture(opts: CaptureOptions): Promise<Capture> {
    const run = queue.then(() => captureNow(opts));
    queue = run.catch(() => undefined);
    return run;
}

async function captureNow(opts: CaptureOptions): Promise<Capture> {
    const preview = opts.preview ?? true;
    const resources: CapturedResource[] = [];
    const byUrn = new Map<string, CapturedResource>();
    const invokes: CapturedInvoke[] = [];
    const injected = new Set<string>(opts.injectedSecrets ?? []);
    const errors: string[] = [];
    const warnings: string[] = [];
    let stackOutputs: Record<string, Wire> = {};
    let pending: CapturedResource | undefined;

    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretConfigKeys ?? []);

    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
                const r = pending;
                pending = undefined;
                if (!r || r.type !== args.type || r.name !== args.name) {
                    throw new Error(`mock engine out of step: expected ${r?.type}::${r?.name}, got ${args.type}::${args.name}`);
                }
                const { id, extra } = computedState(r, r.inputs, injected);
                return { id: r.read ? String(args.id ?? id) : id, state: { ...r.inputs, ...extra } };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                invokes.push({ token: args.token, inputs: args.inputs });
                return answerInvoke(args.token, args.inputs);
            },
        },
        opts.project,
        opts.stack,
        preview,
    );

    const runtime = pulumi.runtime as unknown as {
        getMonitor(): any;
        waitForRPCs(): Promise<void>;
        runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
    };
    const monitor = runtime.getMonitor();

    const record = (r: CapturedResource) => {
        if (!r.read) autoname(r);
        resources.push(r);
        byUrn.set(r.urn, r);
        pending = r;
    };

    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const parent: string = req.getParent();
        const deps = new Set<string>(req.getDependenciesList());
        req.getPropertydependenciesMap().forEach((v: any) => v.getUrnsList().forEach((u: string) => deps.add(u)));
        const options: Record<string, Plainish> = {};
        if (req.getProtect()) options.protect = true;
        if (req.getRetainondelete()) options.retainOnDelete = true;
        if (req.getDeletebeforereplacedefined() && req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
        if (req.getIgnorechangesList().length) options.ignoreChanges = [...req.getIgnorechangesList()].sort();
        if (req.getReplaceonchangesList().length) options.replaceOnChanges = [...req.getReplaceonchangesList()].sort();
        if (req.getImportid()) options.import = req.getImportid();
        if (req.getDeletedwith()) options.deletedWith = req.getDeletedwith();
        const timeouts = req.getCustomtimeouts();
        if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) {
            options.customTimeouts = Object.fromEntries(
                [["create", timeouts.getCreate()], ["update", timeouts.getUpdate()], ["delete", timeouts.getDelete()]].filter(([, v]) => v),
            );
        }
        const providers: Record<string, string> = {};
        req.getProvidersMap().forEach((v: string, k: string) => (providers[k] = v));
        if (Object.keys(providers).length) options.providers = providers;
        // Transforms rewrite what a (remote) component registers; the render names them so a
        // reviewer knows the chart's objects are not exactly what its values say.
        const transforms = req.getTransformsList().map((cb: any) => monitor.transformCallbacks?.get(cb.getToken())?.name || "(anonymous)");
        if (transforms.length) options.transforms = transforms;
        record({
            urn: monitor.newUrn(parent, req.getType(), req.getName()),
            type: req.getType(),
            name: req.getName(),
            parent,
            custom: req.getCustom(),
            remote: req.getRemote(),
            read: false,
            inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, Wire>,
            provider: req.getProvider() ?? "",
            dependencies: [...deps].sort(),
            additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()].sort(),
            options,
        });
        return register(req, callback);
    };

    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req: any, callback: any) => {
        const parent: string = req.getParent();
        record({
            urn: monitor.newUrn(parent, req.getType(), req.getName()),
            type: req.getType(),
            name: req.getName(),
            parent,
            custom: true,
            remote: false,
            read: true,
            inputs: { ...((req.getProperties()?.toJavaScript() ?? {}) as Record<string, Wire>), id: req.getId() },
            provider: req.getProvider() ?? "",
            dependencies: [...req.getDependenciesList()].sort(),
            additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()].sort(),
            options: {},
        });
        return read(req, callback);
    };

    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: any) => {
        const outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, Wire>;
        const r = byUrn.get(req.getUrn());
        if (r) {
            if (r.type === "pulumi:pulumi:Stack") {
                stackOutputs = outputs;
            } else {
                r.outputs = outputs;
            }
        }
        return registerOutputs(req, callback);
    };

    // Collect what the SDK logs instead of printing it, and every stray rejection.
    const log = pulumi.log as unknown as Record<string, (...a: unknown[]) => Promise<void>>;
    const savedError = log.error;
    const savedWarn = log.warn;
    log.error = async (msg: unknown, res?: unknown) => {
        errors.push(`${describeResource(res)}${String(msg)}`);
    };
    log.warn = async (msg: unknown, res?: unknown) => {
        warnings.push(`${describeResource(res)}${String(msg)}`);
    };
    const onRejection = (reason: unknown) => errors.push(errorText(reason));
    process.on("unhandledRejection", onRejection);
    // The Kubernetes provider SDK defaults its `kubeconfig` input to $KUBECONFIG: a render must not
    // depend on (or print) the caller's kubeconfig.
    const savedKubeconfig = process.env.KUBECONFIG;
    delete process.env.KUBECONFIG;
    try {
        try {
            await runtime.runInPulumiStack(async () => {
                const result = await opts.program();
                return result && typeof result === "object" ? result : {};
            });
        } catch (e) {
            errors.push(errorText(e));
        }
        try {
            await runtime.waitForRPCs();
        } catch (e) {
            errors.push(errorText(e));
        }
        // Let the last callbacks (rejections of failed registrations) surface.
        await new Promise((r) => setImmediate(r));
    } finally {
        if (savedKubeconfig !== undefined) process.env.KUBECONFIG = savedKubeconfig;
        process.off("unhandledRejection", onRejection);
        log.error = savedError;
        log.warn = savedWarn;
    }
    if (errors.length > 0) {
        throw new CaptureError([...new Set(errors)]);
    }
    return {
        project: opts.project,
        stack: opts.stack,
        preview,
        resources,
        invokes,
        stackOutputs,
        injectedSecrets: [...injected].sort(),
        warnings: [...new Set(warnings)].sort(),
    };
}

function describeResource(res: unknown): string {
    const r = res as { __name?: string; constructor?: { name?: string } } | undefined;
    return r && r.__name ? `${r.__name}: ` : "";
}

function errorText(e: unknown): string {
    if (e instanceof Error) {
        return e.message;
    }
    return String(e);
}
