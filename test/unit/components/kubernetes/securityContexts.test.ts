/** components/kubernetes/securityContexts.ts: the restricted contexts every pod of the package runs with. */
import { describe, expect, it } from "vitest";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../../../components/kubernetes/securityContexts";

describe("restricted security contexts", () => {
    it("fits restricted-v2: non-root, no escalation, no capabilities, RuntimeDefault seccomp, no fixed UID", () => {
        expect(restrictedContainerSecurityContext()).toEqual({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(restrictedPodSecurityContext()).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(restrictedPodSecurityContext(1001)).toEqual({
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            runAsUser: 1001,
            runAsGroup: 1001,
            fsGroup: 1001,
        });
    });

    it("a writable root filesystem only when asked; a UID without fsGroup when asked", () => {
        expect(restrictedContainerSecurityContext(false).readOnlyRootFilesystem).toBe(false);
        expect(restrictedPodSecurityContext(65532, { fsGroup: false })).toEqual({
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            runAsUser: 65532,
            runAsGroup: 65532,
        });
        expect(restrictedPodSecurityContext(undefined, { fsGroup: false })).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });
});
