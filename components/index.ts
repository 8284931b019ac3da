/**
 * vaultkit's public API: the components other stacks import, and the pure data builders they
 * are made of. Type tokens are `vaultkit:index:<Name>`; identity (tokens, child names) is API.
 */

// Vault
export * from "./vault/vaultServer";
export * from "./vault/vaultBootstrap";
export * from "./vault/vaultBootstrapScripts";
export * from "./vault/pgpPublicKey";
export * from "./vault/vaultKubernetesAuth";
export * from "./vault/kubernetesAuthRole";
export * from "./vault/databaseSecretsEngine";
export * from "./vault/applicationDatabaseAccess";
export * from "./vault/policies";
export * from "./vault/paths";
export * from "./vault/databaseSecretsData";
export * from "./vault/vaultHelmValues";
export * from "./vault/vaultChartTransforms";

// Operators (OLM on OpenShift, Helm on plain Kubernetes)
export * from "./operators/operatorSubscription";
export * from "./operators/operatorReadyWait";
export * from "./operators/helmOperator";
export * from "./operators/openShiftSecretsStoreCsi";
export * from "./operators/operatorCatalog";
export * from "./operators/catalog";

// StackGres
export * from "./stackgres/stackGresCluster";
export * from "./stackgres/stackGresAdminCredentials";
export * from "./stackgres/clusterSpecs";
export * from "./stackgres/managedSqlGate";
export * from "./stackgres/sql";

// The Kubernetes floor every domain builds on
export * from "./kubernetes/kubectlJob";
export * from "./kubernetes/jobWithRbac";
export * from "./kubernetes/secretsStoreCsi";
export { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./kubernetes/securityContexts";

// Delivering credentials to pods
export * from "./delivery";

// Pins
export { PINNED } from "./versions";
