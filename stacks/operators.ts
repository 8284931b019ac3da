/**
 * The operators part of the graph: every operator of the catalog (components/operators/catalog/)
 * that something in the config uses, installed in one loop. OpenShift installs them from
 * OperatorHub (OLM); plain Kubernetes from their pinned Helm charts. With `operators.install: false`
 * the cluster's platform team installed them, and the stack only waits for their CRDs. Either way,
 * each operator's `ready` list opens only once its CRDs are served.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATORS, OperatorDescriptor, OperatorName } from "../components/operators/catalog";
import { HelmOperator } from "../components/operators/helmOperator";
import { OperatorReadyWait } from "../components/operators/operatorReadyWait";
import { OpenShiftSecretsStoreCsi } from "../components/operators/openShiftSecretsStoreCsi";
import { OperatorSubscription } from "../components/operators/operatorSubscription";
import { StackConfig } from "./config";
import { KubernetesProviders, Namespaces, OperatorsReady } from "./contracts";
import { kubectlJobImage, kubectlJobRunAsUser } from "./jobs";
import { namespaceNames, namespaceResource } from "./namespaces";

/** The operator names, in install order. */
export const OPERATOR_NAMES = Object.keys(OPERATORS) as OperatorName[];

/** Which operators the config needs: one condition per operator (the type asks for a new one's). */
export type OperatorsNeeded = Record<OperatorName, boolean>;

/**
 * VSO syncs the StackGres admin Secret and serves `sync` applications; StackGres runs the
 * database; the CSI driver serves the Vault CSI provider, the CSI debug pod and `csi` applications.
 */
export function operatorsNeeded(config: StackConfig): OperatorsNeeded {
    const delivery = new Set(config.applications.map((a) => a.delivery));
    const stackgres = config.database.mode === "stackgres";
    return {
        vaultSecretsOperator: stackgres || delivery.has("sync"),
        stackgres,
        secretsStoreCsi: (config.vault.mode === "deploy" && config.vault.csiProvider) || config.debugWorkloads.csi || delivery.has("csi"),
    };
}

/** Nothing installed and nothing to wait for: every operator's `ready` list empty. */
export function noOperators(): OperatorsReady {
    return emptyReady(OPERATOR_NAMES);
}

function emptyReady<N extends string>(names: readonly N[]): Record<N, pulumi.Resource[]> {
    return Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<N, pulumi.Resource[]>;
}

/** What the config chooses for an operator's OLM install; unset keeps the descriptor's choice. */
export interface OlmChoice {
    /** One of the descriptor's `catalogs`. */
    catalog?: string;
    /** The CSV to pin, or `false` to pin none (follow the channel with `installPlanApproval`). */
    csv?: string | false;
    /** Create the OperatorGroup in the operator's namespace. */
    createOperatorGroup?: boolean;
}

/** The config keys that choose per operator (`operators.*`). */
export function olmChoices(operators: StackConfig["operators"]): Partial<Record<OperatorName, OlmChoice>> {
    return {
        vaultSecretsOperator: { csv: operators.vaultSecretsOperatorCsv },
        stackgres: { catalog: operators.stackgresCatalog, csv: operators.stackgresCsv },
        secretsStoreCsi: { createOperatorGroup: operators.createCsiOperatorGroup },
    };
}

/** An operator's Subscription as the descriptor and the config's choice decide it. */
export function olmSubscription(
    d: OperatorDescriptor,
    choice: OlmChoice = {},
): { source: string; packageName: string; csvPrefix: string; pinnedCsv?: string; createOperatorGroup: boolean } {
    const source = choice.catalog ?? d.olm.catalog;
    const offer = d.olm.catalogs[source];
    if (!offer) {
        throw new Error(`no OLM package for catalog '${source}' (known: ${Object.keys(d.olm.catalogs).join(", ")})`);
    }
    const pin = choice.csv ?? (d.olm.pinnedVersion === undefined ? false : `${offer.csvPrefix}.v${d.olm.pinnedVersion}`);
    return {
        source,
        packageName: offer.package,
        csvPrefix: offer.csvPrefix,
        ...(pin === false ? {} : { pinnedCsv: pin }),
        createOperatorGroup: choice.createOperatorGroup ?? d.olm.createOperatorGroup,
    };
}

/** Installs what the config needs and returns, per operator, what its custom resources must wait for. */
export function buildOperators(config: StackConfig, opts: { providers: KubernetesProviders; namespaces: Namespaces }): OperatorsReady {
    return installOperators(OPERATORS, operatorsNeeded(config), config, opts);
}

/**
 * The loop: each needed operator of `catalog`, in its order, installed the way the config says (CRD gate,
 * OLM or Helm). Nothing here names an operator; everything comes from its descriptor.
 */
export function installOperators<N extends string>(
    catalog: Record<N, OperatorDescriptor>,
    needed: Record<N, boolean>,
    config: StackConfig,
    opts: { providers: KubernetesProviders; namespaces: Namespaces },
): Record<N, pulumi.Resource[]> {
    const names = (Object.keys(catalog) as N[]).filter((name) => needed[name]);
    const install = !config.operators.install ? crdGate : config.platform === "openshift" ? olmInstall : helmInstall;
    const choices: Partial<Record<string, OlmChoice>> = olmChoices(config.operators);
    const context: InstallContext = { config, opts, pinsByNamespace: olmPins(names.map((name) => [catalog[name], choices[name]])) };
    const ready = emptyReady(Object.keys(catalog) as N[]);
    for (const name of names) {
        ready[name] = install(catalog[name], context, choices[name]);
    }
    return ready;
}

/** What every install function reads, built once per stack. */
interface InstallContext {
    config: StackConfig;
    opts: { providers: KubernetesProviders; namespaces: Namespaces };
    /** OLM: the CSVs this stack pins, per Subscription namespace. */
    pinsByNamespace: Map<string, string[]>;
}

/** The CSVs the installed operators pin, per Subscription namespace. */
function olmPins(installed: [OperatorDescriptor, OlmChoice | undefined][]): Map<string, string[]> {
    const pins = new Map<string, string[]>();
    for (const [d, choice] of installed) {
        const pin = olmSubscription(d, choice).pinnedCsv;
        if (pin !== undefined) {
            pins.set(d.olm.namespace, [...(pins.get(d.olm.namespace) ?? []), pin]);
        }
    }
    return pins;
}

/**
 * Where the CRD gates of `operators.install: false` run: a namespace of the stack's own (the database's
 * when it has one), because the platform team's operator namespaces are not this stack's to use.
 */
export function crdGateNamespace(config: StackConfig): string {
    return config.database.mode === "stackgres" ? config.database.namespace : namespaceNames(config)[0]!;
}

/** `operators.install: false`: the platform team installed the operator; one gate Job that completes once its CRDs are Established. */
function crdGate(d: OperatorDescriptor, { config, opts }: InstallContext): pulumi.Resource[] {
    const ns = crdGateNamespace(config);
    const namespace = opts.namespaces[ns];
    return new OperatorReadyWait(
        d.crdGateName,
        { namespace: ns, image: kubectlJobImage(config), runAsUser: kubectlJobRunAsUser(config), crdNames: [...d.crds] },
        { providers: opts.providers, dependsOn: namespace ? [namespace] : [] },
    ).ready;
}

/** OpenShift: the operator's OLM Subscription, gated by its wait Job (the CSI driver's also by its ClusterCSIDriver). */
function olmInstall(d: OperatorDescriptor, { config, opts, pinsByNamespace }: InstallContext, choice?: OlmChoice): pulumi.Resource[] {
    const waitImage = kubectlJobImage(config);
    const approval = config.operators.installPlanApproval;
    const sub = olmSubscription(d, choice);
    if (d.olm.clusterCsiDriver) {
        return new OpenShiftSecretsStoreCsi(
            d.olm.resourceName,
            { installPlanApproval: approval, createOperatorGroup: sub.createOperatorGroup, waitImage },
            { providers: opts.providers },
        ).ready;
    }
    return new OperatorSubscription(
        d.olm.resourceName,
        {
            namespace: d.olm.namespace,
            ...(d.olm.subscriptionName ? { subscriptionName: d.olm.subscriptionName } : {}),
            packageName: sub.packageName,
            channel: d.olm.channel,
            source: sub.source,
            installPlanApproval: approval,
            startingCSV: sub.pinnedCsv,
            // OLM may resolve the Subscriptions of one namespace into one InstallPlan: either wait Job
            // may approve a plan that installs only this stack's pins.
            approvableCsvs: pinsByNamespace.get(d.olm.namespace) ?? [],
            csvPrefix: sub.csvPrefix,
            createOperatorGroup: sub.createOperatorGroup,
            crdNames: [...d.crds],
            waitImage,
        },
        { providers: opts.providers },
    ).ready;
}

/** Plain Kubernetes: the operator's pinned chart in its namespace (created unless the stack or every cluster has it). */
function helmInstall(d: OperatorDescriptor, { config, opts }: InstallContext): pulumi.Resource[] {
    const h = d.helm;
    const namespace: k8s.core.v1.Namespace[] = h.namespaceExists ? [] : [opts.namespaces[h.namespace] ?? namespaceResource(config, h.namespace, opts)];
    return new HelmOperator(
        h.resourceName,
        {
            namespace: h.namespace,
            chart: h.chart,
            repo: h.repo,
            version: h.version,
            ...(h.releaseName ? { releaseName: h.releaseName } : {}),
            values: h.values(),
            useHelmRelease: h.useHelmRelease,
            ...(h.runtimeCrds ? { runtimeCrdNames: [...d.crds], waitImage: kubectlJobImage(config), waitRunAsUser: kubectlJobRunAsUser(config) } : {}),
        },
        { providers: opts.providers, dependsOn: namespace },
    ).ready;
}
