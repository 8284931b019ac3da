/**
 * Which stack a resource belongs to, and whether that stack is a production stack.
 *
 * A Node.js policy pack cannot read the program's stack config (`vaultkit:production`): @pulumi/policy
 * hands policies the resource, its URN, the stack's tags and the policy's own config, nothing else.
 * So production is decided from, in order:
 *   1. the policy config `production: true|false` (e.g. a per-stack `--policy-pack-config` file),
 *   2. the stack tag named by `productionStackTag` (default `vaultkit:production`) being `true`,
 *   3. the stack name, parsed from the resource URN, being one of `productionStacks`
 *      (default `["prod", "production"]`).
 */

/** Config shared by policies that only apply to production stacks. */
export interface ProductionConfig {
    /** Forces the decision (overrides tags and stack names). */
    production?: boolean;
    /** Stack names treated as production. */
    productionStacks?: string[];
    /** Stack tag whose value `true` marks a production stack. */
    productionStackTag?: string;
}

/** Defaults of {@link ProductionConfig}. */
export const PRODUCTION_DEFAULTS = {
    productionStacks: ["prod", "production"],
    productionStackTag: "vaultkit:production",
} as const;

/** JSON schema of {@link ProductionConfig}, for a policy's `configSchema`. */
export const PRODUCTION_CONFIG_SCHEMA = {
    production: {
        type: "boolean",
        description: "Treat this stack as production regardless of its name or tags.",
    },
    productionStacks: {
        type: "array",
        items: { type: "string" },
        default: [...PRODUCTION_DEFAULTS.productionStacks],
        description: "Stack names treated as production (matched against the stack part of each URN).",
    },
    productionStackTag: {
        type: "string",
        default: PRODUCTION_DEFAULTS.productionStackTag,
        description: "A stack tag that marks production when its value is 'true'.",
    },
} as const;

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackNameFromUrn(urn: string): string | undefined {
    const match = /^urn:pulumi:(.+?)::/.exec(urn);
    return match?.[1];
}

/** Whether the stack is production, and why (for violation messages). */
export interface ProductionDecision {
    production: boolean;
    reason: string;
}

/** Decides whether the resource with `urn` lives in a production stack. */
export function productionDecision(urn: string, stackTags: ReadonlyMap<string, string>, config: ProductionConfig): ProductionDecision {
    if (typeof config.production === "boolean") {
        return { production: config.production, reason: `policy config production=${config.production}` };
    }
    const tag = config.productionStackTag ?? PRODUCTION_DEFAULTS.productionStackTag;
    const tagValue = stackTags.get(tag);
    if (tagValue !== undefined && tagValue.trim().toLowerCase() === "true") {
        return { production: true, reason: `stack tag ${tag}=true` };
    }
    const stack = stackNameFromUrn(urn);
    const names = config.productionStacks ?? [...PRODUCTION_DEFAULTS.productionStacks];
    if (stack !== undefined && names.includes(stack)) {
        return { production: true, reason: `stack '${stack}' is listed in productionStacks` };
    }
    return { production: false, reason: `stack '${stack ?? "?"}' is not a production stack` };
}
