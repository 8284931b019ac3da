/**
 * The schema validator for render tests, built once per test file from the shared upstream data
 * (`$VAULTKIT_SHARED_DIR` or `<repo>/../shared`).
 */
import { formatViolation, ValidationReport, Validator, validateTree, Violation } from "../../scripts/lib/validate";
import { SHARED_DIR } from "./render";

export { formatViolation, Validator };
export type { ValidationReport, Violation };

let validator: Validator | undefined;

/** The validator (compiled schemas are cached across calls). */
export function schemaValidator(): Validator {
    validator ??= new Validator({ sharedDir: SHARED_DIR });
    return validator;
}

/** Validates a rendered tree with the shared validator. */
export function validateRendered(files: Map<string, string>): Promise<ValidationReport> {
    return validateTree(files, { sharedDir: SHARED_DIR }, schemaValidator());
}

/** Validates one Kubernetes object; returns the violations as one-line strings. */
export async function violationsOf(obj: unknown, file = "k8s/test/object.yaml"): Promise<string[]> {
    const res = await schemaValidator().validateKubernetes(obj, file);
    return res.violations.map(formatViolation);
}

/** Validates one object; returns `path: message` pairs (easier to assert on). */
export async function findingsOf(obj: unknown): Promise<{ path: string; message: string }[]> {
    const res = await schemaValidator().validateKubernetes(obj, "k8s/test/object.yaml");
    return res.violations.map((v: Violation) => ({ path: v.path, message: v.message }));
}
