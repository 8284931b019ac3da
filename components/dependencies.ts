import * as pulumi from "@pulumi/pulumi";

/** What `ResourceOptions.dependsOn` accepts. */
export type DependsOn = pulumi.ResourceOptions["dependsOn"];

/**
 * `dependsOn` (any accepted shape: resource, list, promise, output) plus `extra`. The SDK flattens
 * nested lists, promises and outputs of resources when it gathers explicit dependencies.
 */
export function withDependencies(dependsOn: DependsOn, ...extra: pulumi.Input<pulumi.Resource>[]): DependsOn {
    if (dependsOn === undefined) {
        return extra;
    }
    return [dependsOn as pulumi.Input<pulumi.Resource>, ...extra];
}

/**
 * The component's own `dependsOn` plus `extra`, for children that must wait too: Pulumi does not
 * make a component's children wait for the component's own dependencies, so every component in
 * this package hands them down explicitly.
 */
export function childDependsOn(opts: pulumi.ResourceOptions | undefined, ...extra: pulumi.Input<pulumi.Resource>[]): DependsOn {
    return withDependencies(opts?.dependsOn, ...extra);
}
