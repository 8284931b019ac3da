/**
 * Small, dependency-free helpers for reading resource properties as CrossGuard hands them over:
 * plain JSON (secrets already unwrapped), wrapped in a proxy that throws `UnknownValueError` when a
 * value is not known yet (during `pulumi preview`).
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a nested property; `undefined` when any step is missing or not an object. */
export function getPath(value: unknown, path: readonly (string | number)[]): unknown {
    let current: unknown = value;
    for (const key of path) {
        if (typeof key === "number") {
            if (!Array.isArray(current)) {
                return undefined;
            }
            current = current[key];
        } else {
            if (!isRecord(current)) {
                return undefined;
            }
            current = current[key];
        }
    }
    return current;
}

/** The elements of an array, or `[]` when the value is not an array. */
export function arrayOf(value: unknown): unknown[] {
    return Array.isArray(value) ? [...value] : [];
}

/** A string value, or `undefined`. */
export function stringOf(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/**
 * True when `err` is the `UnknownValueError` @pulumi/policy throws on reading a value that is only
 * known after the update (an output of another resource, during preview). Checked by name so two
 * copies of @pulumi/policy still agree.
 */
export function isUnknownValueError(err: unknown): boolean {
    return err instanceof Error && err.constructor.name === "UnknownValueError";
}

/** The result of reading a value that may be unknown during preview. */
export type Read<T> = { known: true; value: T } | { known: false };

/**
 * Runs `read`; an unknown value (preview) becomes `{ known: false }` instead of an exception, for
 * rules where "computed by another resource" is itself the compliant case.
 */
export function tryRead<T>(read: () => T): Read<T> {
    try {
        return { known: true, value: read() };
    } catch (err) {
        if (isUnknownValueError(err)) {
            return { known: false };
        }
        throw err;
    }
}

/** `JSON.stringify` for messages, cut to a readable length. */
export function show(value: unknown, max = 60): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
