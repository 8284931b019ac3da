import * as k8s from "@pulumi/kubernetes";
import { debugWorkloadsEnabled, StackConfig } from "./config";
import { KubernetesProviders, Namespaces } from "./contracts";

/** True when the stack declares any Kubernetes object at all. */
export function needsKubernetes(config: StackConfig): boolean {
    return (
        config.vault.mode === "deploy" ||
        config.database.mode === "stackgres" ||
        config.applications.some((a) => a.deployWorkload) ||
        debugWorkloadsEnabled(config.debugWorkloads)
    );
}

/** The namespaces this stack owns (the seed's setup.sh creates `vault` and `rhbk`), sorted. */
export function namespaceNames(config: StackConfig): string[] {
    const names = new Set<string>();
    if (config.vault.mode === "deploy") {
        names.add(config.vault.namespace);
    }
    if (config.database.mode === "stackgres") {
        names.add(config.database.namespace);
    }
    for (const app of config.applications) {
        names.add(app.namespace);
    }
    const d = config.debugWorkloads;
    if (debugWorkloadsEnabled(d)) {
        names.add(d.namespace ?? config.database.namespace);
    }
    return [...names].sort();
}

/** One namespace, labelled with the stack that owns it. */
export function namespaceResource(config: StackConfig, name: string, opts: { providers: KubernetesProviders }): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        `ns-${name}`,
        { metadata: { name, labels: { "app.kubernetes.io/managed-by": "pulumi", "vaultkit.dev/stack": config.stackName } } },
        { provider: opts.providers.kubernetes },
    );
}

/** Creates the namespaces the stack's own objects live in. */
export function buildNamespaces(config: StackConfig, opts: { providers: KubernetesProviders }): Namespaces {
    const out: Namespaces = {};
    for (const name of namespaceNames(config)) {
        out[name] = namespaceResource(config, name, opts);
    }
    return out;
}
