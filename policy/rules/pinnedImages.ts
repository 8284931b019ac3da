import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, helmTagProblem, imagePinProblem, kindOf, podSpecOf, WORKLOAD_TYPES } from "../lib/k8s";
import { getPath, isRecord, JsonObject, stringOf } from "../lib/values";
import { HELM_CHART_TYPES } from "./noVaultDevModeInProduction";

/**
 * Image settings of HashiCorp's vault-helm values and when each must be set explicitly: the server
 * always, the injector unless disabled (the chart enables it by default), the CSI provider when
 * enabled (disabled by default). The agent images only need to be pinned when set.
 */
export const VAULT_CHART_IMAGES: readonly { path: readonly string[]; required: (values: unknown) => boolean }[] = [
    { path: ["server", "image"], required: (v) => getPath(v, ["server", "enabled"]) !== false },
    { path: ["injector", "image"], required: (v) => getPath(v, ["injector", "enabled"]) !== false },
    { path: ["injector", "agentImage"], required: () => false },
    { path: ["csi", "image"], required: (v) => getPath(v, ["csi", "enabled"]) === true },
    { path: ["csi", "agent", "image"], required: () => false },
];

/** Walks Helm values and yields every `image` object/string found (for charts other than vault). */
function* imageSettings(values: unknown, path: string[] = []): Generator<{ path: string; value: unknown }> {
    if (!isRecord(values)) {
        return;
    }
    for (const [key, value] of Object.entries(values)) {
        const here = [...path, key];
        if (/^(image|[a-z]+Image)$/.test(key) && (typeof value === "string" || isRecord(value))) {
            yield { path: here.join("."), value };
        } else if (isRecord(value)) {
            yield* imageSettings(value, here);
        }
    }
}

/** Problems with one Helm values image setting (`{ repository, tag, digest }` or `"repo:tag"`). */
export function helmImageProblem(value: unknown): string | undefined {
    if (typeof value === "string") {
        return value.includes("/") || value.includes(":") || value.includes("@") ? imagePinProblem(value) : undefined;
    }
    if (!isRecord(value)) {
        return undefined;
    }
    const digest = stringOf(value["digest"]);
    if (digest !== undefined && digest !== "") {
        return helmTagProblem(digest.startsWith("sha256:") ? digest : `sha256:${digest}`);
    }
    if (!("tag" in value) || value["tag"] === undefined || value["tag"] === null) {
        return undefined; // the chart's own default, pinned by the chart version
    }
    const problem = helmTagProblem(value["tag"]);
    return problem ? `tag ${problem}` : undefined;
}

/** Problems with a chart's own version (an unpinned chart can change every image under it). */
export function chartVersionProblem(props: JsonObject): string | undefined {
    const chart = stringOf(props["chart"]) ?? "";
    const local = chart.startsWith(".") || chart.startsWith("/") || chart.endsWith(".tgz") || /^https?:\/\//.test(chart);
    const version = stringOf(props["version"]) ?? "";
    if (local || chart === "") {
        return undefined;
    }
    if (version.trim() === "") {
        return `has no chart version: '${chart}' would resolve to whatever the repository serves as latest`;
    }
    if (/[\^~*><|]|\s-\s|(^|\.)[xX](\.|$)/.test(version)) {
        return `has a version range '${version}': pin an exact chart version`;
    }
    return undefined;
}

/**
 * Every container image must be pinned (a tag other than `latest`, or a digest) in every pod
 * template (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, Pod), and Helm charts
 * must pin their own version and must not set image tags to `latest`/empty. For the vault chart the
 * server, injector and CSI provider tags must be set explicitly, so a chart default can never
 * change under a stack.
 */
export function validatePinnedImages(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    if (WORKLOAD_TYPES.includes(args.type)) {
        const podSpec = podSpecOf(args.type, args.props);
        if (!podSpec) {
            return;
        }
        for (const ref of containersOf(podSpec)) {
            const image = ref.container["image"];
            const problem = typeof image === "string" ? imagePinProblem(image) : "has no image";
            if (problem) {
                reportViolation(`${kindOf(args.type)} '${args.name}' ${containerLabel(ref)} image ${typeof image === "string" ? `'${image}' ` : ""}${problem}: pin a version tag or a sha256 digest.`);
            }
        }
        return;
    }
    if (!HELM_CHART_TYPES.includes(args.type)) {
        return;
    }
    const versionProblem = chartVersionProblem(args.props);
    if (versionProblem) {
        reportViolation(`Helm chart '${args.name}' ${versionProblem}.`);
    }
    const values = args.props["values"];
    const chart = stringOf(args.props["chart"]) ?? "";
    const isVault = /(^|\/)vault$/.test(chart);
    if (isVault) {
        for (const image of VAULT_CHART_IMAGES) {
            const setting = getPath(values, image.path);
            const where = `values.${image.path.join(".")}`;
            if (image.required(values) && (!isRecord(setting) || setting["tag"] === undefined || setting["tag"] === null)) {
                reportViolation(`Helm chart '${args.name}' (vault) does not set ${where}.tag: pin it explicitly (components/versions.ts) so a chart default cannot change it.`);
                continue;
            }
            const problem = helmImageProblem(setting);
            if (problem) {
                reportViolation(`Helm chart '${args.name}' ${where} ${problem}.`);
            }
        }
        return;
    }
    for (const { path, value } of imageSettings(values)) {
        const problem = helmImageProblem(value);
        if (problem) {
            reportViolation(`Helm chart '${args.name}' values.${path} ${problem}.`);
        }
    }
}

export const pinnedImages: ResourceValidationPolicy = {
    name: "pinned-images",
    description: "Container images must be pinned (no ':latest', no untagged images) in every pod template and in Helm chart values; charts must pin their version.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Use an explicit version tag or sha256 digest (see components/versions.ts for the project's pins).",
    validateResource: validatePinnedImages,
};
