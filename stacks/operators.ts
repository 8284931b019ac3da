/**
 * The operators part of the graph: the Vault Secrets Operator, StackGres and the Secrets Store CSI
 * driver, each installed only when something in the config uses it. OpenShift installs them from
 * OperatorHub (OLM); plain Kubernetes from their pinned Helm charts. With `operators.install: false`
 * the cluster's platform team installed them, and the stack only waits for their CRDs. Either way,
 * each operator's `ready` list opens only once its CRDs are served.
 */
import * as k8s from "@pulumi/kubernetes";
import { HelmOperator } from "../components/operators/helmOperator";
import { OperatorReadyWait } from "../components/operators/operatorReadyWait";
import { OPERATOR_CRDS, secretsStoreCsiDriverValues, stackgresOperatorValues, vaultSecretsOperatorValues } from "../components/operators/operatorCatalog";
import { OpenShiftSecretsStoreCsi } from "../components/operators/openShiftSecretsStoreCsi";
import { OperatorSubscription } from "../components/operators/operatorSubscription";
import { PINNED } from "../components/versions";
import { StackConfig } from "./config";
import { KubernetesProviders, Namespaces, OperatorsReady } from "./contracts";
import { kubectlJobImage, kubectlJobRunAsUser } from "./jobs";
import { namespaceNames, namespaceResource } from "./namespaces";

/** OpenShift's namespace with the global OperatorGroup (operators there watch all namespaces). */
export const OPENSHIFT_OPERATORS_NAMESPACE = "openshift-operators";

/** Where the charts go on plain Kubernetes. */
export const KUBERNETES_OPERATOR_NAMESPACES = {
    vaultSecretsOperator: "vault-secrets-operator-system",
    stackgres: "stackgres",
    /** The driver DaemonSet is privileged; kube-system already admits that. */
    secretsStoreCsi: "kube-system",
} as const;

/** Which operators the config needs. */
export interface OperatorsNeeded {
    vaultSecretsOperator: boolean;
    stackgres: boolean;
    secretsStoreCsi: boolean;
}

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

/**
 * The StackGres OLM package, CSV prefix and pinned CSV for the configured catalog:
 * `operators.stackgresCsv`, else `<prefix>.v<pinned version>`; `false` pins nothing.
 */
export function stackgresOlm(operators: Pick<StackConfig["operators"], "stackgresCatalog" | "stackgresCsv">): {
    packageName: string;
    csvPrefix: string;
    pinnedCsv?: string;
} {
    const packageName = PINNED.stackgres.olmPackageByCatalog[operators.stackgresCatalog];
    const csvPrefix = PINNED.stackgres.csvPrefixByCatalog[operators.stackgresCatalog];
    const pin = operators.stackgresCsv ?? `${csvPrefix}.v${PINNED.stackgres.version}`;
    return { packageName, csvPrefix, ...(pin === false ? {} : { pinnedCsv: pin }) };
}

/** The Vault Secrets Operator CSV to pin: `operators.vaultSecretsOperatorCsv`, else the pinned one; `false` pins nothing. */
export function vaultSecretsOperatorPin(operators: Pick<StackConfig["operators"], "vaultSecretsOperatorCsv">): string | undefined {
    const pin = operators.vaultSecretsOperatorCsv ?? PINNED.vaultSecretsOperator.startingCSV;
    return pin === false ? undefined : pin;
}

/** Installs what the config needs and returns, per operator, what its custom resources must wait for. */
export function buildOperators(config: StackConfig, opts: { providers: KubernetesProviders; namespaces: Namespaces }): OperatorsReady {
    const needed = operatorsNeeded(config);
    if (!config.operators.install) {
        return buildCrdGates(config, needed, opts);
    }
    return config.platform === "openshift" ? buildOnOpenShift(config, needed, opts) : buildOnKubernetes(config, needed, opts);
}

/**
 * Where the CRD gates of `operators.install: false` run: a namespace of the stack's own (the database's
 * when it has one), because the platform team's operator namespaces are not this stack's to use.
 */
export function crdGateNamespace(config: StackConfig): string {
    return config.database.mode === "stackgres" ? config.database.namespace : namespaceNames(config)[0]!;
}

/**
 * `operators.install: false`: the platform team installed the operators. Per operator the stack needs, one
 * gate Job that completes once that operator's CRDs are Established; nothing else.
 */
function buildCrdGates(config: StackConfig, needed: OperatorsNeeded, opts: { providers: KubernetesProviders; namespaces: Namespaces }): OperatorsReady {
    const ready: OperatorsReady = { vaultSecretsOperator: [], stackgres: [], secretsStoreCsi: [] };
    const ns = crdGateNamespace(config);
    const namespace = opts.namespaces[ns];
    for (const [operator, name] of [
        ["vaultSecretsOperator", "vault-secrets-operator-crds"],
        ["stackgres", "stackgres-crds"],
        ["secretsStoreCsi", "secrets-store-csi-crds"],
    ] as const) {
        if (!needed[operator]) {
            continue;
        }
        ready[operator] = new OperatorReadyWait(
            name,
            {
                namespace: ns,
                image: kubectlJobImage(config),
                runAsUser: kubectlJobRunAsUser(config),
                crdNames: [...OPERATOR_CRDS[operator]],
            },
            { providers: opts.providers, dependsOn: namespace ? [namespace] : [] },
        ).ready;
    }
    return ready;
}

function buildOnOpenShift(config: StackConfig, needed: OperatorsNeeded, opts: { providers: KubernetesProviders }): OperatorsReady {
    const componentOpts = { providers: opts.providers };
    const waitImage = kubectlJobImage(config);
    const approval = config.operators.installPlanApproval;
    const ready: OperatorsReady = { vaultSecretsOperator: [], stackgres: [], secretsStoreCsi: [] };
    const vsoPin = vaultSecretsOperatorPin(config.operators);
    const stackgres = stackgresOlm(config.operators);
    // OLM may resolve both Subscriptions of openshift-operators into one InstallPlan: either wait
    // Job may approve a plan that installs only this stack's pins.
    const pinsInOperatorsNamespace = [needed.vaultSecretsOperator ? vsoPin : undefined, needed.stackgres ? stackgres.pinnedCsv : undefined].filter(
        (c): c is string => c !== undefined,
    );

    if (needed.vaultSecretsOperator) {
        const vso = PINNED.vaultSecretsOperator;
        ready.vaultSecretsOperator = new OperatorSubscription(
            "vault-secrets-operator",
            {
                namespace: OPENSHIFT_OPERATORS_NAMESPACE,
                packageName: vso.olmPackage,
                channel: vso.channel,
                source: vso.catalog,
                installPlanApproval: approval,
                startingCSV: vsoPin,
                approvableCsvs: pinsInOperatorsNamespace,
                csvPrefix: vso.olmPackage,
                // openshift-operators already has the global OperatorGroup; a second one breaks OLM.
                createOperatorGroup: false,
                crdNames: [...OPERATOR_CRDS.vaultSecretsOperator],
                waitImage,
            },
            componentOpts,
        ).ready;
    }
    if (needed.stackgres) {
        const catalog = config.operators.stackgresCatalog;
        const olm = stackgres;
        ready.stackgres = new OperatorSubscription(
            "stackgres-operator",
            {
                namespace: OPENSHIFT_OPERATORS_NAMESPACE,
                subscriptionName: "stackgres",
                packageName: olm.packageName,
                channel: PINNED.stackgres.channel,
                source: catalog,
                installPlanApproval: approval,
                startingCSV: olm.pinnedCsv,
                approvableCsvs: pinsInOperatorsNamespace,
                csvPrefix: olm.csvPrefix,
                createOperatorGroup: false,
                crdNames: [...OPERATOR_CRDS.stackgres],
                waitImage,
            },
            componentOpts,
        ).ready;
    }
    if (needed.secretsStoreCsi) {
        ready.secretsStoreCsi = new OpenShiftSecretsStoreCsi(
            "secrets-store-csi",
            { installPlanApproval: approval, createOperatorGroup: config.operators.createCsiOperatorGroup, waitImage },
            componentOpts,
        ).ready;
    }
    return ready;
}

function buildOnKubernetes(config: StackConfig, needed: OperatorsNeeded, opts: { providers: KubernetesProviders; namespaces: Namespaces }): OperatorsReady {
    const ready: OperatorsReady = { vaultSecretsOperator: [], stackgres: [], secretsStoreCsi: [] };
    const namespace = (name: string): k8s.core.v1.Namespace => opts.namespaces[name] ?? namespaceResource(config, name, opts);
    const componentOpts = (dependsOn: k8s.core.v1.Namespace[]) => ({ providers: opts.providers, dependsOn });

    if (needed.vaultSecretsOperator) {
        const ns = KUBERNETES_OPERATOR_NAMESPACES.vaultSecretsOperator;
        const pin = PINNED.vaultSecretsOperator;
        ready.vaultSecretsOperator = new HelmOperator(
            "vault-secrets-operator",
            {
                namespace: ns,
                chart: pin.chart,
                repo: pin.repo,
                version: pin.version,
                values: vaultSecretsOperatorValues(),
                // The chart's CRDs are in crds/, which Chart v4 applies; its only hook upgrades CRDs.
                useHelmRelease: false,
            },
            componentOpts([namespace(ns)]),
        ).ready;
    }
    if (needed.stackgres) {
        const ns = KUBERNETES_OPERATOR_NAMESPACES.stackgres;
        const pin = PINNED.stackgres;
        ready.stackgres = new HelmOperator(
            "stackgres-operator",
            {
                namespace: ns,
                chart: pin.chart,
                repo: pin.repo,
                version: pin.version,
                releaseName: "stackgres-operator",
                values: stackgresOperatorValues(),
                // Install Jobs are Helm hooks, and the operator creates its CRDs when it starts.
                useHelmRelease: true,
                runtimeCrdNames: [...OPERATOR_CRDS.stackgres],
                waitImage: kubectlJobImage(config),
                waitRunAsUser: kubectlJobRunAsUser(config),
            },
            componentOpts([namespace(ns)]),
        ).ready;
    }
    if (needed.secretsStoreCsi) {
        const pin = PINNED.secretsStoreCsi;
        ready.secretsStoreCsi = new HelmOperator(
            "secrets-store-csi-driver",
            {
                namespace: KUBERNETES_OPERATOR_NAMESPACES.secretsStoreCsi,
                chart: pin.chart,
                repo: pin.repo,
                version: pin.version,
                values: secretsStoreCsiDriverValues(),
                // CRDs ship in crds/ (the upgrade-CRDs hook is not needed on first install).
                useHelmRelease: false,
            },
            componentOpts([]),
        ).ready;
    }
    return ready;
}
