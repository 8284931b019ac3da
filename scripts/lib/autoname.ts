/**
 * The name the Kubernetes provider gives an object the program left unnamed, shared by the render
 * engine (scripts/lib/engine.ts) and the unit mock engine (test/support/mocks.ts) so references
 * through generated names (RoleBinding -> ServiceAccount, Job -> ConfigMap, SGScript -> Secret) carry
 * real values in both.
 *
 * pulumi-kubernetes' Check (provider/pkg/metadata/naming.go `AssignNameIfAutonamable`, in the
 * provider version engine/provider-kubernetes builds) names an object that has neither
 * `metadata.name` nor `metadata.generateName` (an unknown one counts as set)
 * `<resource name>-<8 characters of [0-9a-f]>` (`resource.NewUniqueName` defaults), seeded by the
 * engine. Here the suffix is a digest of the URN, so every run gives the same name.
 */
import { digest } from "./mockValues";
import { isWireSecret } from "./wire";

/** What the decision needs to know about one registration. */
export interface AutonameSubject {
    type: string;
    /** The resource name (the URN's last part). */
    name: string;
    urn: string;
    custom: boolean;
    /** Inputs as the engine received them (plain or wire format). */
    inputs: Record<string, unknown>;
}

/**
 * The generated `metadata.name` for an object the provider would auto-name, or undefined when it
 * keeps the program's name (or is not a Kubernetes object the provider names: components, Helm
 * charts, Patch resources, which must be named).
 */
export function kubernetesAutoname(r: AutonameSubject): string | undefined {
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.endsWith("Patch") || /^kubernetes:helm\.sh\//.test(r.type)) {
        return undefined;
    }
    const md = r.inputs.metadata;
    if (md === undefined) {
        // Every object the SDK registers carries `kind`; without it this is not an object to name.
        if (r.inputs.kind === undefined) return undefined;
    } else if (md === null || typeof md !== "object" || Array.isArray(md) || isWireSecret(md)) {
        return undefined;
    } else {
        const m = md as Record<string, unknown>;
        if (isSet(m.name) || isSet(m.generateName)) return undefined;
    }
    return `${r.name}-${digest(r.urn, 8)}`;
}

/** Set for the provider: a non-empty string, or any other value (an unknown, a secret) it cannot read yet. */
function isSet(v: unknown): boolean {
    return v !== undefined && v !== null && v !== "";
}
