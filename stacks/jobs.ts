/**
 * The image and pod UID of the stack's kubectl Jobs (operator waits and InstallPlan approval, the
 * StackGres script gate, the HA bootstrap), decided in one place from `vaultkit:kubectlImage` and
 * the platform.
 */
import { KUBERNETES_WAIT_UID } from "../components/operators/operatorReadyWait";
import { PINNED } from "../components/versions";
import { StackConfig } from "./config";

/** `vaultkit:kubectlImage`, else the pinned image of the platform (components/versions.ts `kubectlImages`). */
export function kubectlJobImage(config: Pick<StackConfig, "kubectlImage" | "platform">): string {
    return config.kubectlImage ?? (config.platform === "openshift" ? PINNED.kubectlImages.openshift : PINNED.kubectlImages.kubernetes);
}

/** A non-root UID on plain Kubernetes (the kubectl images default to root); none on OpenShift, whose SCC assigns one. */
export function kubectlJobRunAsUser(config: Pick<StackConfig, "platform">): number | undefined {
    return config.platform === "openshift" ? undefined : KUBERNETES_WAIT_UID;
}
