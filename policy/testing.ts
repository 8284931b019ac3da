/**
 * Test helpers: build the argument bags CrossGuard passes to policies and collect the violations a
 * policy reports. Used by policy/*.test.ts only.
 */
import type { Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";

// @pulumi/policy's own proxy (an internal module without typings): the real preview behaviour of
// throwing UnknownValueError when a policy reads a value that is not known yet.
const proxy = proxyModule as unknown as {
    unknownCheckingProxy<T>(value: T): T;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

/** Sentinels for values unknown during preview (wrap props with {@link preview} to make them throw on read). */
export const UNKNOWN = {
    string: proxy.unknownStringValue,
    array: proxy.unknownArrayValue,
    object: proxy.unknownObjectValue,
} as const;

/** Wraps props the way the policy server does during preview. */
export function preview<T extends object>(props: T): T {
    return proxy.unknownCheckingProxy(props);
}

/** Inputs of {@link resourceArgs}. */
export interface ResourceArgsInput {
    type: string;
    props: Record<string, unknown>;
    name?: string;
    /** Stack name written into the URN. Default `dev`. */
    stack?: string;
    project?: string;
    /** What `getConfig()` returns (the policy's config properties). */
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

/** A `ResourceValidationArgs` as the policy server would build it. */
export function resourceArgs(input: ResourceArgsInput): ResourceValidationArgs {
    const name = input.name ?? "res";
    const stack = input.stack ?? "dev";
    const type = input.type;
    return {
        type,
        props: input.props as Record<string, any>,
        urn: `urn:pulumi:${stack}::${input.project ?? "vaultkit"}::${type}::${name}`,
        name,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(Object.entries(input.stackTags ?? {})),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (input.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason ?? ""}`);
        },
    };
}

/** Runs a resource policy's validations and returns the reported messages. */
export async function violations(policy: ResourceValidationPolicy, input: ResourceArgsInput): Promise<string[]> {
    const messages: string[] = [];
    const report: ReportViolation = (message) => {
        messages.push(message);
    };
    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        await validate(resourceArgs(input), report);
    }
    return messages;
}

/** The config schema's declared defaults of a policy, as `getConfig()` would return them after the CLI applied them. */
export function schemaDefaults(policy: Policy): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) {
            out[key] = schema.default;
        }
    }
    return out;
}

/** A Deployment's inputs with the given containers. */
export function deployment(containers: Record<string, unknown>[], extra: { namespace?: string; name?: string; podSpec?: Record<string, unknown> } = {}): Record<string, unknown> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: extra.name ?? "app", namespace: extra.namespace ?? "team-a" },
        spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers, ...(extra.podSpec ?? {}) } } },
    };
}

/** Pulumi type tokens used across the tests. */
export const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pod: "kubernetes:core/v1:Pod",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    chartV4: "kubernetes:helm.sh/v4:Chart",
    releaseV3: "kubernetes:helm.sh/v3:Release",
    vaultServer: "vaultkit:index:VaultServer",
    connection: "vault:database/secretBackendConnection:SecretBackendConnection",
    secretsMount: "vault:database/secretsMount:SecretsMount",
    staticRole: "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
    authRole: "vault:kubernetes/authBackendRole:AuthBackendRole",
    endpoint: "vault:generic/endpoint:Endpoint",
    mount: "vault:index/mount:Mount",
} as const;
