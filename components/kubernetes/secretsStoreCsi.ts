/**
 * The Secrets Store CSI driver's name: what a CSI volume names as its driver, and the name of the
 * OpenShift ClusterCSIDriver (enum-restricted) the Red Hat operator reconciles.
 */
export const SECRETS_STORE_CSI_DRIVER = "secrets-store.csi.k8s.io";
