/**
 * The OpenShift ClusterCSIDriver that makes Red Hat's Secrets Store CSI operator deploy the driver
 * (used by OpenShiftSecretsStoreCsi). Pure, so tests check it directly. What each operator is and
 * how it installs: components/operators/catalog/.
 */
import { SECRETS_STORE_CSI_DRIVER } from "../kubernetes/secretsStoreCsi";

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
