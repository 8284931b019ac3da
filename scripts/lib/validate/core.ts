/**
 * Built-in Kubernetes kinds, validated with the `kubernetes-models` classes (generated from the
 * Kubernetes OpenAPI document): required fields, types, enums and formats.
 */

/** An ajv-style error. */
export interface SchemaError {
    instancePath: string;
    keyword: string;
    params: Record<string, unknown>;
    message?: string;
}

type ModelClass = new (data: unknown) => { validate(): void };

const cache = new Map<string, Promise<ModelClass | undefined>>();

/** The module path of a kind in kubernetes-models (`apps/v1` + `Deployment` -> `kubernetes-models/apps/v1/Deployment`). */
export function modelModule(apiVersion: string, kind: string): string | undefined {
    if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
    return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Loads the model class for a built-in kind; undefined when kubernetes-models has none. */
export function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    const mod = modelModule(apiVersion, kind);
    if (!mod) return Promise.resolve(undefined);
    let p = cache.get(mod);
    if (!p) {
        p = import(mod).then(
            (m: Record<string, unknown>) => {
                const cls = m[kind] as (ModelClass & { apiVersion?: string; kind?: string }) | undefined;
                return cls && cls.apiVersion === apiVersion && cls.kind === kind ? cls : undefined;
            },
            () => undefined,
        );
        cache.set(mod, p);
    }
    return p;
}

/** Validates a built-in object; returns its errors (empty when valid). */
export async function validateBuiltin(obj: Record<string, unknown>, cls: ModelClass): Promise<SchemaError[]> {
    try {
        new cls(obj).validate();
        return [];
    } catch (e) {
        const errors = (e as { errors?: SchemaError[] }).errors;
        if (Array.isArray(errors)) return errors;
        return [{ instancePath: "", keyword: "exception", params: {}, message: e instanceof Error ? e.message : String(e) }];
    }
}

/** Cluster-scoped built-in kinds (everything else built in is namespaced). */
export const CLUSTER_SCOPED_BUILTINS = new Set([
    "v1:Namespace",
    "v1:Node",
    "v1:PersistentVolume",
    "v1:ComponentStatus",
    "rbac.authorization.k8s.io/v1:ClusterRole",
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "storage.k8s.io/v1:StorageClass",
    "storage.k8s.io/v1:CSIDriver",
    "storage.k8s.io/v1:CSINode",
    "storage.k8s.io/v1:VolumeAttachment",
    "storage.k8s.io/v1:VolumeAttributesClass",
    "apiextensions.k8s.io/v1:CustomResourceDefinition",
    "apiregistration.k8s.io/v1:APIService",
    "admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
    "scheduling.k8s.io/v1:PriorityClass",
    "networking.k8s.io/v1:IngressClass",
    "networking.k8s.io/v1:IPAddress",
    "networking.k8s.io/v1:ServiceCIDR",
    "node.k8s.io/v1:RuntimeClass",
    "certificates.k8s.io/v1:CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/v1:FlowSchema",
    "flowcontrol.apiserver.k8s.io/v1:PriorityLevelConfiguration",
    "authentication.k8s.io/v1:TokenReview",
    "authentication.k8s.io/v1:SelfSubjectReview",
    "authorization.k8s.io/v1:SubjectAccessReview",
    "authorization.k8s.io/v1:SelfSubjectAccessReview",
    "authorization.k8s.io/v1:SelfSubjectRulesReview",
    "resource.k8s.io/v1:DeviceClass",
    "resource.k8s.io/v1:ResourceSlice",
]);
