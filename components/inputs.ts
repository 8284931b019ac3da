/**
 * Checking a `pulumi.Input<T>` argument the way a plain argument is checked today.
 *
 * A component validates its arguments before it registers anything, so bad input fails with a
 * clear message at construction. An argument typed `pulumi.Input<T>` may instead be an Output
 * (another program's result) whose value is not known yet: its check runs when the value arrives,
 * inside the apply, and the same message fails the deployment then. During a preview an unknown
 * value is not checked (nothing is touched until it is known).
 */
import * as pulumi from "@pulumi/pulumi";

/** True when `value` holds no Output or Promise at any depth, so it can be checked now. */
export function isPlainInput(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return false;
    }
    if (Array.isArray(value)) {
        return value.every(isPlainInput);
    }
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.values(value).every(isPlainInput);
    }
    return true;
}

/**
 * `value` checked by `check` (which throws on bad input): a plain value now, before the caller
 * registers anything, and returned as it is; an Output or Promise (or a plain array/object holding
 * one) inside its apply, returned as an Output that fails with `check`'s error. Use the returned
 * value in place of `value`, so the check is part of what the resources consume: an Output whose
 * check nobody consumes would fail unseen.
 */
export function checkedInput<T>(value: pulumi.Input<T>, check: (value: pulumi.Unwrap<T>) => void): pulumi.Input<pulumi.Unwrap<T>> {
    return derivedInput(value, (known) => {
        check(known);
        return known;
    });
}

/**
 * `derive(value)` for `pulumi.Input` arguments, the way {@link checkedInput} checks them: computed
 * now when the value is plain (so a `derive` that throws refuses bad input before the caller
 * registers anything), else inside the Output's apply. For the builders that validate while they
 * build (a spec, a script) from arguments another program may compute.
 */
export function derivedInput<T, R>(value: pulumi.Input<T>, derive: (value: pulumi.Unwrap<T>) => R): R | pulumi.Output<R> {
    if (isPlainInput(value)) {
        return derive(value as pulumi.Unwrap<T>);
    }
    return pulumi.output(value).apply((known) => derive(known as pulumi.Unwrap<T>));
}
