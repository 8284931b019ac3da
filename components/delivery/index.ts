/** The four ways to hand Vault credentials to a pod, and the user-credentials app. */
export { ContainerSpec, VaultConnection, VaultKubernetesLogin, WorkloadSpec } from "./args";
export * from "./csiSecretMount";
export * from "./directVaultAccess";
export * from "./dynamicSecretSync";
export * from "./injectedSecret";
export * from "./propagation";
export * from "./scripts";
export * from "./secretSync";
export * from "./syncedSecretApp";
export * from "./userCredentialsApp";
export * from "./vso";
export {
    ContainerResources,
    DEFAULT_RESOURCES,
    SECRETS_MOUNT_PATH,
    SYNCED_SECRET_MOUNT_PATH,
    deploymentManifest,
    workloadLabels,
} from "./workload";
