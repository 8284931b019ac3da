/**
 * The restricted security contexts every pod of this package runs with: they pass OpenShift's
 * `restricted-v2` SCC and the Kubernetes `restricted` Pod Security Standard.
 */
import type * as k8s from "@pulumi/kubernetes";

/**
 * Container security context. No `runAsUser`: OpenShift assigns one from the namespace range, and
 * on plain Kubernetes the pod's context sets it.
 */
export function restrictedContainerSecurityContext(readOnlyRootFilesystem = true): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Pod security context. `runAsUser` stays unset unless given: set it only on plain Kubernetes when
 * the image's default user is root (UBI, postgres, kubectl), never on OpenShift, whose SCC picks the
 * UID. With a UID, `fsGroup` is set too unless `fsGroup: false` (pods that mount no Secret volume
 * they must read as that group).
 */
export function restrictedPodSecurityContext(runAsUser?: number, opts: { fsGroup?: boolean } = {}): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
        // fsGroup too, so Secret volumes (mode 0440) stay readable; OpenShift sets it from the SCC.
        ...(runAsUser !== undefined ? { runAsUser, runAsGroup: runAsUser, ...(opts.fsGroup === false ? {} : { fsGroup: runAsUser }) } : {}),
    };
}
