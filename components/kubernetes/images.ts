/** What counts as a pinned container image, checked the same way in config and in every component. */

/** `name[:tag][@sha256:digest]`, no whitespace; a registry with a port is not supported. */
const IMAGE_REFERENCE = /^[^\s:@]+(:[0-9A-Za-z._-]+)?(@sha256:[0-9a-f]{64})?$/;

/** True for a syntactically valid image reference. */
export function isImageReference(image: string): boolean {
    return IMAGE_REFERENCE.test(image);
}

/** True when the reference names a tag (on its last path segment) or a digest. */
export function hasTagOrDigest(image: string): boolean {
    return /:[0-9A-Za-z._-]+$/.test(image.split("@")[0]!.split("/").pop()!) || image.includes("@sha256:");
}

/** True for the floating `latest` tag (with or without a digest after it). */
export function isLatestTag(image: string): boolean {
    return /:latest(@|$)/.test(image);
}

/** True for a reference pinned to a tag or digest, and not to `latest`. */
export function isPinnedImage(image: string): boolean {
    return typeof image === "string" && isImageReference(image) && hasTagOrDigest(image) && !isLatestTag(image);
}

/** Throws `<what> must be an image pinned to a tag or digest …` unless {@link isPinnedImage}. */
export function assertPinnedImage(what: string, image: string): void {
    if (!isPinnedImage(image)) {
        throw new Error(`${what} must be an image pinned to a tag or digest (not ':latest'), got ${JSON.stringify(image)}`);
    }
}
