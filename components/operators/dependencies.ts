import * as pulumi from "@pulumi/pulumi";

/**
 * The component's own `dependsOn` plus `extra`, for the children that must wait too: Pulumi does
 * not make a component's children wait for the component's dependencies.
 */
export function childDependsOn(opts: pulumi.ResourceOptions | undefined, ...extra: pulumi.Input<pulumi.Resource>[]): pulumi.Input<pulumi.Resource>[] {
    const own = opts?.dependsOn;
    if (own === undefined) {
        return extra;
    }
    if (Array.isArray(own)) {
        return [...own, ...extra];
    }
    if (pulumi.Resource.isInstance(own)) {
        return [own, ...extra];
    }
    throw new Error("dependsOn must be a resource or a list of resources (not an Output of a list) for this component");
}
