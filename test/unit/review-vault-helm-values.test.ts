import { describe, expect, it } from "vitest";
import { PINNED } from "../../components/versions";
import { vaultHelmValues } from "../../components/vault/vaultHelmValues";

const images = { server: PINNED.vaultChart.appVersion, injector: PINNED.vaultChart.injectorVersion, csiProvider: PINNED.vaultChart.csiProviderVersion };
const dev = { mode: "dev" as const, ui: true, injector: true, csiProvider: true, haReplicas: 3, images };

describe("review: Vault CSI provider privileges", () => {
    it("runs the CSI provider privileged on OpenShift only (the seed's SCC grant)", () => {
        const v = vaultHelmValues({ ...dev, openshift: true }, "vault", "vault");
        expect(v.csi.daemonSet.securityContext.container.privileged).toBe(true);
    });

    it("asks for no privileged container on plain Kubernetes, where the chart default suffices", () => {
        const v = vaultHelmValues({ ...dev, openshift: false }, "vault", "vault");
        expect(v.csi.enabled).toBe(true);
        expect(JSON.stringify(v.csi)).not.toContain("privileged");
    });
});
