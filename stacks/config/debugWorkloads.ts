/**
 * `vaultkit:debugWorkloads`: the seed's three debug Deployments that read the admin credentials,
 * off by default and refused in production.
 */
import { z } from "zod";
import { PINNED } from "../../components/versions";
import { namespaceName, pinnedImage } from "./primitives";
import type { CrossFieldRule } from "./rules";
import { missingVaultComponent } from "./vault";

/** `vaultkit:debugWorkloads`. */
export const debugWorkloadsSchema = z
    .strictObject({
        /** The seed's three debug Deployments reading the admin secret (CSI, injector, direct). */
        csi: z.boolean({ error: "expected true or false" }).default(false),
        injector: z.boolean({ error: "expected true or false" }).default(false),
        direct: z.boolean({ error: "expected true or false" }).default(false),
        namespace: namespaceName.optional(),
        image: pinnedImage.default(PINNED.debugImage),
    })
    .prefault({});

/** The ServiceAccount this stack creates for the seed's debug workloads, which read the admin credentials. */
export function debugServiceAccountName(clusterName: string): string {
    return `${clusterName}-vault-debug`;
}

/** Whether any of the seed's debug workloads is on. */
export function debugWorkloadsEnabled(d: { csi: boolean; injector: boolean; direct: boolean }): boolean {
    return d.csi || d.injector || d.direct;
}

/** The CSI and injector debug pods need their Vault component, as applications of those patterns do. */
export const debugWorkloadComponentRules: CrossFieldRule = (c, r) => {
    for (const pattern of ["csi", "injector"] as const) {
        const missing = c.debugWorkloads[pattern] ? missingVaultComponent(pattern, c.vault, r.raw) : undefined;
        if (missing) {
            r.add(["debugWorkloads", pattern], `expected the ${pattern} debug workload only where its Vault component ${missing}`);
        }
    }
};

/** The debug pods hold the database admin credentials: never in production. */
export const productionDebugRules: CrossFieldRule = (c, r) => {
    if (c.production && debugWorkloadsEnabled(c.debugWorkloads)) {
        r.add(["debugWorkloads"], "expected no debug workloads in a stack marked production (they hold the database admin credentials, readable by anyone with pods/exec in their namespace)");
    }
};
