/**
 * Pulumi mock engine for unit tests: records every resource registration and invoke, so tests
 * assert exact types, names, parents and inputs. Call `setupMocks()` before importing code under
 * test (vitest runs each file in its own process, so each file gets a fresh engine).
 */
import * as pulumi from "@pulumi/pulumi";
import { kubernetesAutoname } from "../../scripts/lib/autoname";

/** One registered resource as the engine saw it. */
export interface Registration {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** Provider reference (`urn::id`) when one was given explicitly or inherited. */
    provider?: string;
    custom: boolean;
    /** The URN the engine gave it; its type part carries the parent's type (`Parent$Child`). */
    urn: string;
    /** The parent's URN (the stack's for top-level resources). */
    parent: string;
    /** URNs this resource depends on (dependsOn plus the resources its inputs came from). */
    dependencies: string[];
    /** Dotted paths of inputs that reached the engine as secrets, e.g. `stringData.password`. */
    secretPaths: string[];
    /** The resource's `transforms` option (the mock engine does not run them; tests may call them). */
    transforms: pulumi.ResourceTransform[];
    /** Resource options as the engine received them. */
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    /**
     * The program left `metadata.name` out and the Kubernetes provider would generate it; `inputs`
     * carry the generated name, as the provider's checked inputs do (see scripts/lib/autoname.ts).
     */
    autonamed: boolean;
}

export const registrations: Registration[] = [];
const wiring = new Map<string, { parent: string; dependencies: string[]; urn: string; secretPaths: string[]; protect: boolean; retainOnDelete: boolean; ignoreChanges: string[] }>();

/** The signature key and value Pulumi's wire format uses to mark a secret. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces secret-marked wrappers with their plain values (see `secretPaths` for which they were). */
export function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
        return unwrapSecrets(obj.value);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** Paths of secret-marked values in a serialized property map. */
export function findSecretPaths(value: unknown, prefix = ""): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
        return [prefix];
    }
    const out: string[] = [];
    for (const [k, v] of Object.entries(obj)) {
        out.push(...findSecretPaths(v, prefix ? `${prefix}.${k}` : k));
    }
    return out;
}
export const invokes: { token: string; inputs: Record<string, any> }[] = [];
/** Every secret value the mock providers generated (RandomPassword results), to hunt for leaks. */
export const generatedSecrets: string[] = [];

/** Outputs a provider would compute, per resource type, so dependent code sees realistic values. */
function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            // The real provider marks `result` secret (additionalSecretOutputs); so does the mock.
            const value = `mock-password-${name}-0123456789abcdef`.slice(0, inputs.length ?? 32);
            generatedSecrets.push(value);
            return { result: pulumi.secret(value) };
        case "vault:index/mount:Mount":
            return { path: inputs.path, accessor: `mount_${name}` };
        case "vault:index/authBackend:AuthBackend":
            return { path: inputs.path ?? inputs.type, accessor: `auth_${name}` };
        case "vault:index/policy:Policy":
            return { name: inputs.name };
        default:
            return {};
    }
}

/** Installs the recording mocks. Idempotent per process. */
export async function setupMocks(opts: { project?: string; stack?: string; config?: Record<string, string> } = {}): Promise<void> {
    if (opts.config) {
        for (const [k, v] of Object.entries(opts.config)) {
            pulumi.runtime.setConfig(k, v);
        }
    }
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const inputs = unwrapSecrets(args.inputs) as Record<string, any>;
                const w = wiring.get(`${args.type}::${args.name}`);
                const custom = args.custom ?? true;
                // A read (`.get()`) names an existing object; only creates are auto-named.
                const generated = args.id ? undefined : kubernetesAutoname({ type: args.type, name: args.name, urn: w?.urn ?? "", custom, inputs });
                if (generated !== undefined) {
                    inputs.metadata = { ...(inputs.metadata ?? {}), name: generated };
                }
                registrations.push({
                    type: args.type,
                    name: args.name,
                    inputs,
                    provider: args.provider,
                    custom,
                    urn: w?.urn ?? "",
                    parent: w?.parent ?? "",
                    dependencies: w?.dependencies ?? [],
                    secretPaths: w?.secretPaths ?? [],
                    transforms: args.transforms ?? [],
                    protect: w?.protect ?? false,
                    retainOnDelete: w?.retainOnDelete ?? false,
                    ignoreChanges: w?.ignoreChanges ?? [],
                    autonamed: generated !== undefined,
                });
                return { id: `${args.name}-id`, state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) } };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                invokes.push({ token: args.token, inputs: args.inputs });
                return args.inputs;
            },
        },
        opts.project ?? "vaultkit",
        opts.stack ?? "test",
        false,
    );
    // The mock callbacks do not see parents or dependencies; the monitor's requests do.
    const monitor = (pulumi.runtime as any).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const propDeps: string[] = [];
        req.getPropertydependenciesMap().forEach((v: any) => propDeps.push(...v.getUrnsList()));
        wiring.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent(),
            dependencies: [...new Set([...req.getDependenciesList(), ...propDeps])],
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            secretPaths: findSecretPaths(req.getObject()?.toJavaScript() ?? {}),
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            ignoreChanges: [...req.getIgnorechangesList()],
        });
        return register(req, callback);
    };
}

/** Resolves an Output (or plain value) in tests. Never call it on secrets you then print. */
export function valueOf<T>(o: pulumi.Input<T> | undefined): Promise<T> {
    return new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

/**
 * Waits until the mock engine has seen every registration queued so far: registrations are
 * async (outputs resolve first), so wait until none has arrived for several timer turns.
 */
export async function settle(): Promise<void> {
    let quiet = 0;
    let last = -1;
    while (quiet < 5) {
        await new Promise((r) => setTimeout(r, 5));
        if (registrations.length === last) {
            quiet++;
        } else {
            quiet = 0;
            last = registrations.length;
        }
    }
}

/** All registrations of one type. */
export function ofType(type: string): Registration[] {
    return registrations.filter((r) => r.type === type);
}

/** The single registration with this type and name; throws with the list of names otherwise. */
export function one(type: string, name: string): Registration {
    const found = registrations.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = ofType(type).map((r) => r.name);
        throw new Error(`expected exactly one ${type} named ${name}, found ${found.length} (have: ${names.join(", ") || "none"})`);
    }
    return found[0]!;
}

/** The short type of a URN's last segment (`a$b$c::name` -> `c`). */
function urnType(urn: string): string {
    return urn.split("::")[2]?.split("$").pop() ?? "";
}

/** Asserts-friendly view of what a registration depends on: `type::name` of each dependency. */
export function dependencyNames(r: Registration): string[] {
    return r.dependencies.map((u) => `${urnType(u)}::${u.split("::")[3]}`);
}

/** `type::name` of a registration's parent (or "" at top level). */
export function parentOf(r: Registration): string {
    if (!r.parent || urnType(r.parent) === "pulumi:pulumi:Stack") {
        return "";
    }
    return `${urnType(r.parent)}::${r.parent.split("::")[3]}`;
}

/**
 * True when `from` depends on `to`, directly or through any chain of dependencies or parents
 * (a dependency on a component covers its children).
 */
export function dependsOnTransitively(from: Registration, to: Registration): boolean {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const childrenOf = (urn: string) => registrations.filter((r) => r.parent === urn);
    const seen = new Set<string>();
    const stack = [...from.dependencies];
    while (stack.length) {
        const urn = stack.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        if (urn === to.urn) return true;
        const r = byUrn.get(urn);
        if (r) stack.push(...r.dependencies, ...childrenOf(urn).map((c) => c.urn));
    }
    return false;
}

/** `type::name` of every direct child of the component `parent` (given as `type::name`), sorted. */
export function childNames(parent: string): string[] {
    return registrations
        .filter((r) => parentOf(r) === parent)
        .map((r) => `${r.type}::${r.name}`)
        .sort();
}
