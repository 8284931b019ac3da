/**
 * Objects as vault-helm 0.34.1 renders them for this project's dev values on plain Kubernetes
 * (release `vault` in namespace `vault`), written out from the chart's templates because there is
 * no `helm` here: templates/server-statefulset.yaml with `vault.envs` from templates/_helpers.tpl,
 * and templates/injector-mutating-webhook.yaml with values.yaml defaults. Tests feed them to the
 * chart's Pulumi transforms and, on the API-server tier, apply them.
 */

/** The dev-mode StatefulSet; `devRootToken` is `server.dev.devRootToken` (empty renders as `value:` → null). */
export function vaultHelmDevStatefulSet(devRootToken: string): Record<string, any> {
    const labels = { "app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": "vault" };
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "vault", namespace: "vault", labels: { ...labels, "app.kubernetes.io/managed-by": "Helm" } },
        spec: {
            serviceName: "vault-internal",
            podManagementPolicy: "Parallel",
            replicas: 1,
            updateStrategy: { type: "OnDelete" },
            selector: { matchLabels: { ...labels, component: "server" } },
            template: {
                metadata: { labels: { "helm.sh/chart": "vault-0.34.1", ...labels, component: "server" } },
                spec: {
                    terminationGracePeriodSeconds: 10,
                    serviceAccountName: "vault",
                    securityContext: { runAsNonRoot: true, runAsGroup: 1000, runAsUser: 100, fsGroup: 1000 },
                    hostNetwork: false,
                    volumes: [{ name: "home", emptyDir: {} }],
                    containers: [
                        {
                            name: "vault",
                            image: "hashicorp/vault:2.0.4",
                            imagePullPolicy: "IfNotPresent",
                            command: ["/bin/sh", "-ec"],
                            args: ["/usr/local/bin/docker-entrypoint.sh vault server -dev \n"],
                            securityContext: { allowPrivilegeEscalation: false },
                            env: [
                                { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
                                { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                                { name: "VAULT_K8S_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                                { name: "VAULT_K8S_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                                { name: "VAULT_ADDR", value: "http://127.0.0.1:8200" },
                                { name: "VAULT_API_ADDR", value: "http://$(POD_IP):8200" },
                                { name: "SKIP_CHOWN", value: "true" },
                                { name: "SKIP_SETCAP", value: "true" },
                                { name: "HOSTNAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                                { name: "VAULT_CLUSTER_ADDR", value: "https://$(HOSTNAME).vault-internal:8201" },
                                { name: "HOME", value: "/home/vault" },
                                { name: "VAULT_DEV_ROOT_TOKEN_ID", value: devRootToken === "" ? null : devRootToken },
                                { name: "VAULT_DEV_LISTEN_ADDRESS", value: "[::]:8200" },
                            ],
                            volumeMounts: [{ name: "home", mountPath: "/home/vault" }],
                            ports: [
                                { containerPort: 8200, name: "http" },
                                { containerPort: 8201, name: "https-internal" },
                                { containerPort: 8202, name: "http-rep" },
                            ],
                            readinessProbe: {
                                exec: { command: ["/bin/sh", "-ec", "vault status -tls-skip-verify"] },
                                failureThreshold: 2,
                                initialDelaySeconds: 5,
                                periodSeconds: 5,
                                successThreshold: 1,
                                timeoutSeconds: 3,
                            },
                            lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 5 && kill -SIGTERM $(pidof vault)"] } } },
                        },
                    ],
                },
            },
        },
    };
}

/** The injector's MutatingWebhookConfiguration with the chart's `injector.certs.caBundle: ""`. */
export function vaultHelmInjectorWebhook(): Record<string, any> {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: {
            name: "vault-agent-injector-cfg",
            labels: { "app.kubernetes.io/name": "vault-agent-injector", "app.kubernetes.io/instance": "vault", "app.kubernetes.io/managed-by": "Helm" },
        },
        webhooks: [
            {
                name: "vault.hashicorp.com",
                failurePolicy: "Ignore",
                matchPolicy: "Exact",
                sideEffects: "None",
                timeoutSeconds: 30,
                admissionReviewVersions: ["v1", "v1beta1"],
                clientConfig: { service: { name: "vault-agent-injector-svc", namespace: "vault", path: "/mutate" }, caBundle: "" },
                rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "Namespaced" }],
                objectSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: ["vault-agent-injector"] }] },
            },
        ],
    };
}
