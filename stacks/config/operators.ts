/**
 * `vaultkit:operators`: how the Vault Secrets Operator, StackGres and (on OpenShift) the Secrets Store
 * CSI driver are installed: OLM catalog, approval, CSV pins, or not at all (the platform team's).
 */
import { z } from "zod";
import { PINNED } from "../../components/versions";
import { objectName } from "./primitives";
import type { CrossFieldRule } from "./rules";

/** An OLM ClusterServiceVersion to pin (an object name), or `false` for no pin. */
const olmCsvPin = z.union([objectName, z.literal(false)], { error: "expected a CSV name like 'vault-secrets-operator.v1.4.1', or false for no pin" });

/** `vaultkit:operators`. */
export const operatorsSchema = z
    .strictObject({
        /** StackGres OLM catalog; picks the package name (components/versions.ts PINNED.stackgres). */
        stackgresCatalog: z.enum(["certified-operators", "community-operators", "redhat-marketplace"], {
            error: "expected one of 'certified-operators', 'community-operators', 'redhat-marketplace'",
        }).default("certified-operators"),
        installPlanApproval: z.enum(["Automatic", "Manual"], { error: "expected 'Automatic' or 'Manual'" }).default("Automatic"),
        /**
         * OpenShift: create the OperatorGroup in openshift-cluster-csi-drivers. Set false when one
         * exists already (another CSI operator): two OperatorGroups in a namespace break OLM for both.
         */
        createCsiOperatorGroup: z.boolean({ error: "expected true or false" }).default(true),
        /**
         * OpenShift: the Vault Secrets Operator CSV to pin (Manual approval; the wait Job approves
         * only this CSV's InstallPlan), or `false` to follow the channel with `installPlanApproval`.
         * Default: components/versions.ts.
         */
        vaultSecretsOperatorCsv: olmCsvPin.optional(),
        /** OpenShift: the StackGres CSV to pin, or `false`. Default: the catalog's CSV prefix + the pinned version. */
        stackgresCsv: olmCsvPin.optional(),
        /**
         * `false`: the cluster's platform team installed the operators; the stack declares no chart,
         * Subscription or OperatorGroup, only gates that wait for their CRDs to be Established.
         */
        install: z.boolean({ error: "expected true or false" }).default(true),
    })
    .superRefine((o, ctx) => {
        const expectPrefix = (key: "vaultSecretsOperatorCsv" | "stackgresCsv", prefix: string) => {
            const v = o[key];
            if (typeof v === "string" && !v.startsWith(`${prefix}.v`)) {
                ctx.addIssue({ code: "custom", path: [key], message: `expected a CSV of the package, named '${prefix}.v<version>'` });
            }
        };
        expectPrefix("vaultSecretsOperatorCsv", PINNED.vaultSecretsOperator.olmPackage);
        expectPrefix("stackgresCsv", PINNED.stackgres.csvPrefixByCatalog[o.stackgresCatalog]);
    })
    .prefault({});

/** CSV pins choose what is installed, which a stack that installs nothing cannot do. */
export const operatorPinRules: CrossFieldRule = (c, r) => {
    if (!c.operators.install) {
        for (const k of ["vaultSecretsOperatorCsv", "stackgresCsv"] as const) {
            if (c.operators[k] !== undefined) {
                r.add(["operators", k], "expected no CSV pin when operators.install is false (the platform team chose what is installed)");
            }
        }
    }
};
