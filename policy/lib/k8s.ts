/**
 * Kubernetes object helpers: where each workload kind keeps its pod template, the containers of a
 * pod spec, and container image references.
 */
import { arrayOf, getPath, isRecord, JsonObject, stringOf } from "./values";

/** Pulumi type tokens of the workload kinds, and the path of the pod spec inside each. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "kubernetes:core/v1:Pod": ["spec"],
};

/** Workload type tokens (everything that carries a pod template). */
export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** The Kubernetes kind of a Pulumi type token (`kubernetes:apps/v1:DaemonSet` → `DaemonSet`). */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** The pod spec of a workload's inputs, or `undefined` for other types or a missing template. */
export function podSpecOf(type: string, props: JsonObject): JsonObject | undefined {
    const path = POD_SPEC_PATHS[type];
    if (!path) {
        return undefined;
    }
    const spec = getPath(props, path);
    return isRecord(spec) ? spec : undefined;
}

/** One container of a pod spec, with where it came from. */
export interface ContainerRef {
    /** `containers`, `initContainers` or `ephemeralContainers`. */
    list: "containers" | "initContainers" | "ephemeralContainers";
    /** Index in that list. */
    index: number;
    /** The container's name, when given. */
    name: string | undefined;
    /** The container object. */
    container: JsonObject;
}

/** All containers of a pod spec (regular, init and ephemeral). */
export function containersOf(podSpec: JsonObject): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const list of ["containers", "initContainers", "ephemeralContainers"] as const) {
        arrayOf(podSpec[list]).forEach((container, index) => {
            if (isRecord(container)) {
                out.push({ list, index, name: stringOf(container["name"]), container });
            }
        });
    }
    return out;
}

/** `containers[0] (vault)`-style label for messages. */
export function containerLabel(ref: ContainerRef): string {
    return `${ref.list}[${ref.index}]${ref.name ? ` (${ref.name})` : ""}`;
}

/** A parsed container image reference. */
export interface ImageRef {
    /** Registry and repository, e.g. `docker.io/hashicorp/vault`. */
    repository: string;
    /** The tag, when one is given. */
    tag: string | undefined;
    /** The digest (`sha256:...`), when one is given. */
    digest: string | undefined;
}

/** Parses `registry:port/repo/name:tag@sha256:digest`; a `:` before the last `/` is a registry port. */
export function parseImage(reference: string): ImageRef {
    let rest = reference.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    let tag: string | undefined;
    if (colon > slash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    return { repository: rest, tag: tag === "" ? undefined : tag, digest: digest === "" ? undefined : digest };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Why an image reference is not pinned, or `undefined` when it is. Pinned means a valid
 * `sha256` digest, or a tag that is not `latest`. A digest always wins: `image:latest@sha256:…`
 * runs exactly that digest.
 */
export function imagePinProblem(reference: string): string | undefined {
    const trimmed = reference.trim();
    if (trimmed === "") {
        return "is empty";
    }
    const image = parseImage(trimmed);
    if (image.digest !== undefined) {
        return DIGEST.test(image.digest) ? undefined : `has a malformed digest '${image.digest}' (expected sha256:<64 hex>)`;
    }
    if (image.tag === undefined) {
        return "has no tag (Kubernetes pulls ':latest')";
    }
    if (!TAG.test(image.tag)) {
        return `has a malformed tag '${image.tag}'`;
    }
    if (image.tag.toLowerCase() === "latest") {
        return "uses the mutable tag ':latest'";
    }
    return undefined;
}

/** Why a Helm-values image tag is not pinned, or `undefined` (tags `latest`, empty, or non-strings). */
export function helmTagProblem(tag: unknown): string | undefined {
    if (typeof tag === "number") {
        return undefined; // YAML `tag: 1.7` parses as a number; still a fixed tag.
    }
    if (typeof tag !== "string" || tag.trim() === "") {
        return "is empty";
    }
    if (tag.trim().toLowerCase() === "latest") {
        return "is the mutable tag 'latest'";
    }
    if (tag.startsWith("sha256:")) {
        return DIGEST.test(tag) ? undefined : `is a malformed digest '${tag}'`;
    }
    return TAG.test(tag.trim()) ? undefined : `is malformed ('${tag}')`;
}
