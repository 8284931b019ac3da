/**
 * The shape of one operator's entry in the catalog: everything the stack needs to install it by OLM
 * (OpenShift) or from its Helm chart (plain Kubernetes), and the CRDs its custom resources wait for.
 * Versions come from components/versions.ts (every pin lives there, with its source).
 */

/** One CatalogSource's offer of the operator. */
export interface OlmPackage {
    /** OLM package name in that catalog (`Subscription.spec.name`). */
    package: string;
    /** Its CSVs are named `<csvPrefix>.v<version>`. */
    csvPrefix: string;
}

/** How OLM (OpenShift OperatorHub) installs the operator. */
export interface OlmInstall {
    /** Name of the install component (its children are named after it). */
    resourceName: string;
    /** Namespace of the Subscription; the operator runs there. */
    namespace: string;
    /** Subscription object name. Defaults to the package name. */
    subscriptionName?: string;
    /** Update channel. */
    channel: string;
    /** The CatalogSources that offer the operator, by name. */
    catalogs: Readonly<Record<string, OlmPackage>>;
    /** The CatalogSource used unless the config picks another of `catalogs`. */
    catalog: string;
    /** The version whose CSV (`<csvPrefix>.v<version>`) is pinned unless the config says otherwise; unset pins none. */
    pinnedVersion?: string;
    /** Create an OperatorGroup in `namespace` unless the config says one exists (OLM refuses two). */
    createOperatorGroup: boolean;
    /** The operator deploys its driver only for a ClusterCSIDriver: installed as {@link OpenShiftSecretsStoreCsi}. */
    clusterCsiDriver?: boolean;
}

/** How the operator's pinned Helm chart installs it on plain Kubernetes. */
export interface HelmInstall {
    /** Name of the install component (its children are named after it). */
    resourceName: string;
    chart: string;
    /** Chart repository (https). */
    repo: string;
    /** Exact chart version. */
    version: string;
    /** Helm release name. Defaults to the chart name. */
    releaseName?: string;
    /** Namespace the chart installs into. */
    namespace: string;
    /** The namespace exists on every cluster (e.g. `kube-system`): the stack neither creates nor waits for it. */
    namespaceExists?: boolean;
    /** The chart's values. */
    values: () => Record<string, unknown>;
    /** Install with `helm.v3.Release`, because the chart's install relies on Helm hooks; otherwise `helm.v4.Chart`. */
    useHelmRelease: boolean;
    /** The operator creates its CRDs when it starts: a wait Job checks `crds` for `Established` after the install. */
    runtimeCrds?: boolean;
}

/** One operator: its CRDs, its OLM install and its Helm install. */
export interface OperatorDescriptor {
    /** CRDs this project's custom resources of the operator use, checked for `Established` before any is created. */
    crds: readonly string[];
    /** Name of the CRD gate when the platform team installed the operator (`operators.install: false`). */
    crdGateName: string;
    olm: OlmInstall;
    helm: HelmInstall;
}

/** Requests and limits, both always set. */
export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string) {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}
