/** components/kubernetes/images.ts: what a pinned image is, for config and every component alike. */
import { describe, expect, it } from "vitest";
import { assertPinnedImage, hasTagOrDigest, isImageReference, isLatestTag, isPinnedImage } from "../../../../components/kubernetes/images";

const DIGEST = `sha256:${"0".repeat(64)}`;

describe("pinned images", () => {
    it("accepts a tag, a digest, or both", () => {
        for (const ok of ["postgres:16.1", "docker.io/library/postgres:16.1", "registry.k8s.io/kubectl:v1.31.4", `quay.io/x/y@${DIGEST}`, `quay.io/x/y:1@${DIGEST}`]) {
            expect(isPinnedImage(ok), ok).toBe(true);
            expect(() => assertPinnedImage("image", ok)).not.toThrow();
        }
    });

    it("refuses no tag, latest, malformed references and a registry port (each reason separately)", () => {
        expect(hasTagOrDigest("registry.example.com/app")).toBe(false);
        expect(isLatestTag("app:latest")).toBe(true);
        expect(isLatestTag(`app:latest@${DIGEST}`)).toBe(true);
        expect(isLatestTag("app:latest-1")).toBe(false);
        expect(isImageReference("app: 1")).toBe(false);
        expect(isImageReference("registry:5000/app:1")).toBe(false);
        for (const bad of ["postgres", "postgres:latest", "a b:1", "", `app@sha256:short`]) expect(isPinnedImage(bad), bad).toBe(false);
    });

    it("names what was checked, the rule and the value", () => {
        expect(() => assertPinnedImage("VaultBootstrap b: images.kubectl", "kubectl:latest")).toThrow(
            `VaultBootstrap b: images.kubectl must be an image pinned to a tag or digest (not ':latest'), got "kubectl:latest"`,
        );
    });
});
