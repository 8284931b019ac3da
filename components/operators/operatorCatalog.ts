/**
 * Data about the three operators: the CRDs their custom resources need, Helm values for plain
 * Kubernetes, and the OpenShift ClusterCSIDriver. Pure, so tests check it directly.
 */
import { SECRETS_STORE_CSI_DRIVER } from "../kubernetes/secretsStoreCsi";

/** CRDs this project's custom resources use, per operator (checked for `Established`). */
export const OPERATOR_CRDS = {
    /** VaultConnection, VaultAuth, VaultStaticSecret and VaultDynamicSecret (rotated static creds). */
    vaultSecretsOperator: [
        "vaultconnections.secrets.hashicorp.com",
        "vaultauths.secrets.hashicorp.com",
        "vaultstaticsecrets.secrets.hashicorp.com",
        "vaultdynamicsecrets.secrets.hashicorp.com",
    ],
    /** SGCluster and the objects it references. */
    stackgres: ["sgclusters.stackgres.io", "sgscripts.stackgres.io", "sginstanceprofiles.stackgres.io", "sgpgconfigs.stackgres.io"],
    /** Owned by the Red Hat operator's CSV and shipped in the upstream chart's crds/. */
    secretsStoreCsi: ["secretproviderclasses.secrets-store.csi.x-k8s.io", "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io"],
} as const;

/** Requests and limits, both always set. */
export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string) {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * Values of the `vault-secrets-operator` chart. No default VaultConnection/VaultAuth: this
 * project declares its own, one per consumer, so nothing authenticates implicitly.
 */
export function vaultSecretsOperatorValues(): Record<string, unknown> {
    return {
        controller: {
            manager: {
                resources: resources("10m", "64Mi", "500m", "256Mi"),
            },
        },
        defaultVaultConnection: { enabled: false },
        defaultAuthMethod: { enabled: false },
    };
}

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

/**
 * Values of the `stackgres-operator` chart. Only the operator is needed here: no web console /
 * REST API (and no cluster-admin binding for its admin user), no OpenTelemetry collector (its
 * default request is 1 GiB; SGClusters run without it).
 */
export function stackgresOperatorValues(): Record<string, unknown> {
    return {
        operator: { resources: resources("100m", "512Mi", "1", "1Gi") },
        jobs: { resources: resources("10m", "64Mi", "500m", "256Mi") },
        deploy: { operator: true, restapi: false, collector: false },
        cert: { createForWebApi: false, createForCollector: false },
        rbac: { create: false },
        grafana: { autoEmbed: false },
    };
}

/**
 * `pulumi.com/waitFor` of the ClusterCSIDriver: the operator's node-service controller
 * (openshift/secrets-store-csi-driver-operator release-4.15 `pkg/operator/starter.go`,
 * `WithCSIDriverNodeService("SecretsStoreDriverNodeServiceController", ...)`) sets the operator
 * condition `<controller>Available` True once the driver DaemonSet has an available pod (library-go
 * `csidrivernodeservicecontroller`, vendored there: `NumberAvailable > 0`). Until then CSI volumes
 * would fail with "driver name secrets-store.csi.k8s.io not found".
 */
export function clusterCsiDriverWaitFor(): string {
    return "condition=SecretsStoreDriverNodeServiceControllerAvailable";
}

/** `operator.openshift.io/v1` ClusterCSIDriver: deploy the driver (`Managed`). */
export function clusterCsiDriverManifest(): {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { managementState: string };
} {
    return {
        apiVersion: "operator.openshift.io/v1",
        kind: "ClusterCSIDriver",
        metadata: { name: SECRETS_STORE_CSI_DRIVER },
        spec: { managementState: "Managed" },
    };
}
