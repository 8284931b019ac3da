/** The Secrets Store CSI driver: serves the Vault CSI provider, the CSI debug pod and `csi` applications. */
import { PINNED } from "../../versions";
import { OperatorDescriptor, resources } from "./descriptor";

/** Default poll interval of CSI secret rotation (the driver's own default). */
export const DEFAULT_ROTATION_POLL_INTERVAL = "2m";

/**
 * Values of the `secrets-store-csi-driver` chart: auto-rotation on, so rotated credentials reach
 * mounted files. Secret sync off: no SecretProviderClass here has `secretObjects`, and the chart
 * would grant the driver cluster-wide create/update/patch/delete on Secrets for it
 * (templates/role-syncsecret.yaml, v1.6.0).
 */
export function secretsStoreCsiDriverValues(rotationPollInterval: string = DEFAULT_ROTATION_POLL_INTERVAL): Record<string, unknown> {
    if (!/^([0-9]+(s|m|h))+$/.test(rotationPollInterval)) {
        throw new Error(`rotationPollInterval must be a duration like '2m' or '90s', got ${JSON.stringify(rotationPollInterval)}`);
    }
    return {
        syncSecret: { enabled: false },
        enableSecretRotation: true,
        rotationPollInterval,
        linux: {
            driver: { resources: resources("50m", "100Mi", "200m", "200Mi") },
            registrar: { resources: resources("10m", "20Mi", "100m", "100Mi") },
            livenessProbe: { resources: resources("10m", "20Mi", "100m", "100Mi") },
        },
    };
}

const pin = PINNED.secretsStoreCsi;

export const secretsStoreCsi: OperatorDescriptor = {
    /** Owned by the Red Hat operator's CSV and shipped in the upstream chart's crds/. */
    crds: ["secretproviderclasses.secrets-store.csi.x-k8s.io", "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io"],
    crdGateName: "secrets-store-csi-crds",
    olm: {
        resourceName: "secrets-store-csi",
        namespace: pin.namespace,
        channel: pin.channel,
        catalogs: { [pin.catalog]: { package: pin.olmPackage, csvPrefix: pin.olmPackage } },
        catalog: pin.catalog,
        // No CSV pin: the channel, chosen per OpenShift release, decides.
        createOperatorGroup: true,
        clusterCsiDriver: true,
    },
    helm: {
        resourceName: "secrets-store-csi-driver",
        chart: pin.chart,
        repo: pin.repo,
        version: pin.version,
        // The driver DaemonSet is privileged; kube-system already admits that.
        namespace: "kube-system",
        namespaceExists: true,
        values: () => secretsStoreCsiDriverValues(),
        // CRDs ship in crds/ (the upgrade-CRDs hook is not needed on first install).
        useHelmRelease: false,
    },
};
