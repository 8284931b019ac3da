/** scripts/lib/render/review.ts on the fixture program: the images and elevated privileges index.yaml lists for review. */
import { describe, expect, it } from "vitest";
import { renderedFixture } from "./fixture";

const { index } = renderedFixture();

describe("review", () => {
    it("summarises images and elevated privileges for review", () => {
        expect(index().review).toEqual({
            images: { "registry.access.redhat.com/ubi9/ubi:9.4": ["k8s/rhbk/deployment-app.yaml"] },
            elevatedPrivileges: [{ file: "helm/vault.yaml", path: "values.csi.daemonSet.securityContext.container.privileged", setting: "privileged: true" }],
        });
    });
});
