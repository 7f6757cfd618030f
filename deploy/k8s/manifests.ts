import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATA_TOPIC_PARTITIONS } from '@kingbridge/contracts';
import { SOURCE_CONNECTORS } from '@kingbridge/source-connector';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

/*
 * The Kubernetes base (deploy/k8s/base) and the kube-prometheus-stack
 * component (deploy/k8s/monitoring), generated so that every Deployment gets
 * the same security context, probes, secret files and plan ConfigMap:
 *   npx tsx deploy/k8s/generate.ts [--check]
 * Overlays (deploy/k8s/overlays/*) are written by hand and patch this.
 */

export const ROOT = resolve(__dirname, '../..');
export const SECRET_NAME = 'kingbridge-secrets';
export const SECRET_MOUNT = '/var/run/secrets/kingbridge';
export const IMAGE = 'kingbridge';
const PART_OF = { 'app.kubernetes.io/part-of': 'kingbridge' } as const;

type Obj = Record<string, unknown>;

interface AppSpec {
  readonly name: string;
  readonly command: readonly string[];
  readonly port: number;
  /** Variables read from files of the Secret (`NAME_FILE=<mount>/NAME`). */
  readonly secretFiles: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Reads the database (runs the migrations first, in an init container). */
  readonly database: boolean;
  readonly plans: boolean;
  readonly strategy: 'Recreate' | 'RollingUpdate';
  readonly replicas: number;
  readonly resources: { cpu: string; memory: string; limit: string };
}

/**
 * Each source platform of the registry: its spec's port, its production origin (the schemas default to the local
 * simulators) and the credentials it requires with its defaults, read from the Secret.
 */
const PLATFORMS = SOURCE_CONNECTORS.map((spec) => ({
  id: spec.id,
  port: spec.httpPort,
  env: { [spec.endpoint.variable]: spec.endpoint.production },
  secrets: spec
    .requiredVariables(z.object(spec.env).parse({}))
    .map((v) => v.name),
}));

const small = { cpu: '50m', memory: '128Mi', limit: '256Mi' };
const medium = { cpu: '100m', memory: '256Mi', limit: '768Mi' };

export const APPS: readonly AppSpec[] = [
  ...PLATFORMS.map((p): AppSpec => ({
    name: `source-connector-${p.id}`,
    command: ['dist/services/source-connector/src/main.js'],
    port: p.port,
    secretFiles: p.secrets,
    env: { CONNECTOR_ID: p.id },
    database: true,
    plans: true,
    // One poller per stream: the old pod stops before the new one starts (plus the advisory lock in the code).
    strategy: 'Recreate',
    replicas: 1,
    resources: medium,
  })),
  {
    name: 'transform',
    command: ['dist/services/transform/src/main.js'],
    port: 19410,
    // Plan lookups read K3Cloud tables as this user.
    secretFiles: ['K3CLOUD_ACCT_ID', 'K3CLOUD_USERNAME', 'K3CLOUD_PASSWORD'],
    database: true,
    plans: true,
    strategy: 'RollingUpdate',
    replicas: 2,
    resources: { cpu: '200m', memory: '384Mi', limit: '1Gi' },
  },
  {
    name: 'sink-kingdee',
    command: ['dist/services/sink-kingdee/src/main.js'],
    port: 19420,
    secretFiles: [
      'K3CLOUD_ACCT_ID',
      'K3CLOUD_USERNAME',
      'K3CLOUD_PASSWORD',
      'JDY_CLIENT_ID',
      'JDY_CLIENT_SECRET',
      'JDY_APP_KEY',
      'JDY_OUTER_INSTANCE_ID',
      'K3WISE_AUTHORITY_CODE',
    ],
    // What each tenant allows in flight, shared by all sink pods (the ScaledObject may run 6 of them).
    env: {
      KINGDEE_BUDGET_K3CLOUD: '4',
      KINGDEE_BUDGET_JDY: '4',
      KINGDEE_BUDGET_K3WISE: '2',
    },
    database: true,
    plans: false,
    strategy: 'RollingUpdate',
    replicas: 2,
    resources: medium,
  },
  {
    name: 'status-exporter',
    command: ['dist/services/status-exporter/src/main.js'],
    port: 19430,
    secretFiles: [],
    database: false,
    plans: false,
    strategy: 'RollingUpdate',
    replicas: 1,
    resources: small,
  },
  {
    name: 'alert-webhook',
    command: ['dist/services/alert-webhook/src/main.js'],
    port: 19440,
    secretFiles: [
      'DINGTALK_WEBHOOK_URL',
      'DINGTALK_SECRET',
      'WECOM_WEBHOOK_URL',
    ],
    database: false,
    plans: false,
    strategy: 'RollingUpdate',
    replicas: 2,
    resources: small,
  },
];

const labels = (name: string) => ({ 'app.kubernetes.io/name': name });

const podSecurity = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};
export const containerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

function fileEnv(names: readonly string[]): Obj[] {
  return names.map((n) => ({
    name: `${n}_FILE`,
    value: `${SECRET_MOUNT}/${n}`,
  }));
}

/** The base ConfigMap: what every app reads, secrets only as file paths. */
function configMap(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kingbridge-config' },
    data: {
      KAFKA_BROKERS: 'kafka-bootstrap.kafka.svc:9092',
      DATABASE_URL_FILE: `${SECRET_MOUNT}/DATABASE_URL`,
      HTTP_HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      PLANS_DIR: '/app/plans',
      RUNBOOK_BASE_URL: 'https://kingbridge.example.com/',
      // Endpoints: the platforms' production gateways; your Kingdee hosts (overlays replace these).
      ...Object.assign({}, ...PLATFORMS.map((p) => p.env)),
      K3CLOUD_BASE_URL: 'https://k3cloud.example.com/k3cloud/',
      JDY_BASE_URL: 'https://api.kingdee.com',
      K3WISE_BASE_URL: 'https://k3wise.example.com/K3API',
    },
  };
}

/** The seed plans, copied next to the kustomization (kustomize reads files only below it). */
function planFiles(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

function probes(port = 'http') {
  return {
    startupProbe: {
      httpGet: { path: '/health/live', port },
      periodSeconds: 5,
      failureThreshold: 36,
    },
    readinessProbe: {
      httpGet: { path: '/health/ready', port },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/health/live', port },
      periodSeconds: 10,
      failureThreshold: 6,
    },
  };
}

function migrateInit(): Obj {
  return {
    name: 'migrate',
    image: IMAGE,
    args: ['dist/scripts/migrate.js'],
    envFrom: [{ configMapRef: { name: 'kingbridge-config' } }],
    env: [{ name: 'MIGRATE_WAIT_SECONDS', value: '120' }],
    securityContext: containerSecurity,
    volumeMounts: [
      { name: 'secrets', mountPath: SECRET_MOUNT, readOnly: true },
    ],
    resources: {
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    },
  };
}

function deployment(app: AppSpec): Obj {
  const volumeMounts: Obj[] = [
    { name: 'secrets', mountPath: SECRET_MOUNT, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
    ...(app.plans
      ? [{ name: 'plans', mountPath: '/app/plans', readOnly: true }]
      : []),
  ];
  const volumes: Obj[] = [
    { name: 'secrets', secret: { secretName: SECRET_NAME } },
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ...(app.plans
      ? [{ name: 'plans', configMap: { name: 'kingbridge-plans' } }]
      : []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, labels: labels(app.name) },
    spec: {
      replicas: app.replicas,
      revisionHistoryLimit: 5,
      strategy:
        app.strategy === 'Recreate'
          ? { type: 'Recreate' }
          : {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
            },
      selector: { matchLabels: labels(app.name) },
      template: {
        metadata: {
          labels: labels(app.name),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(app.port),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          terminationGracePeriodSeconds: 45,
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          ...(app.database ? { initContainers: [migrateInit()] } : {}),
          containers: [
            {
              name: app.name,
              image: IMAGE,
              args: [...app.command],
              ports: [{ name: 'http', containerPort: app.port }],
              envFrom: [{ configMapRef: { name: 'kingbridge-config' } }],
              env: [
                { name: 'HTTP_PORT', value: String(app.port) },
                ...Object.entries(app.env ?? {}).map(([name, value]) => ({
                  name,
                  value,
                })),
                ...fileEnv(app.secretFiles),
              ],
              securityContext: containerSecurity,
              volumeMounts,
              ...probes(),
              resources: {
                requests: {
                  cpu: app.resources.cpu,
                  memory: app.resources.memory,
                },
                limits: { memory: app.resources.limit },
              },
            },
          ],
          volumes,
        },
      },
    },
  };
}

function service(name: string, port: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name) },
    spec: {
      selector: labels(name),
      ports: [{ name: 'http', port, targetPort: 'http' }],
    },
  };
}

function alertmanager(): Obj[] {
  const name = 'alertmanager';
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: labels(name) },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels(name) },
        template: {
          metadata: { labels: labels(name) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              ...podSecurity,
              runAsUser: 65534,
              runAsGroup: 65534,
              fsGroup: 65534,
            },
            containers: [
              {
                name,
                image: 'quay.io/prometheus/alertmanager:v0.27.0',
                args: [
                  '--config.file=/etc/alertmanager/alertmanager.yml',
                  '--storage.path=/alertmanager',
                  '--cluster.listen-address=',
                ],
                ports: [{ name: 'http', containerPort: 9093 }],
                securityContext: containerSecurity,
                volumeMounts: [
                  {
                    name: 'config',
                    mountPath: '/etc/alertmanager',
                    readOnly: true,
                  },
                  { name: 'data', mountPath: '/alertmanager' },
                ],
                startupProbe: {
                  httpGet: { path: '/-/ready', port: 'http' },
                  periodSeconds: 5,
                  failureThreshold: 24,
                },
                readinessProbe: {
                  httpGet: { path: '/-/ready', port: 'http' },
                  periodSeconds: 10,
                },
                livenessProbe: {
                  httpGet: { path: '/-/healthy', port: 'http' },
                  periodSeconds: 15,
                },
                resources: {
                  requests: { cpu: '20m', memory: '64Mi' },
                  limits: { memory: '128Mi' },
                },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'alertmanager-config' } },
              { name: 'data', emptyDir: {} },
            ],
          },
        },
      },
    },
    service(name, 9093),
  ];
}

function pdbs(): Obj[] {
  return [...APPS.map((a) => a.name), 'alertmanager'].map((name) => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    // maxUnavailable (not minAvailable): a single-replica connector must still let a node drain.
    spec: { maxUnavailable: 1, selector: { matchLabels: labels(name) } },
  }));
}

function networkPolicies(): Obj[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'kingbridge-ingress' },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          // Between the pods of this namespace (Alertmanager -> adapter, Prometheus in-namespace, demo Kafka).
          { from: [{ podSelector: {} }] },
          // Metrics and health from the monitoring namespace (kube-prometheus-stack).
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
                },
              },
            ],
            ports: [...new Set([...APPS.map((a) => a.port), 9093])].map(
              (port) => ({ protocol: 'TCP', port }),
            ),
          },
        ],
      },
    },
  ];
}

function scaledObject(
  name: string,
  group: string,
  lag: string,
  max: number,
): Obj {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name },
    spec: {
      scaleTargetRef: { name },
      pollingInterval: 15,
      cooldownPeriod: 300,
      minReplicaCount: 1,
      maxReplicaCount: max,
      triggers: [
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: 'kafka-bootstrap.kafka.svc:9092',
            consumerGroup: group,
            lagThreshold: lag,
            activationLagThreshold: '10',
            offsetResetPolicy: 'earliest',
          },
        },
      ],
    },
  };
}

function scaledObjects(): Obj[] {
  // Never more members than partitions: the extra ones would sit idle. The sink's Kingdee budget is shared by
  // all its pods (KINGDEE_*_BUDGET), so more sink pods never mean more requests in flight at one tenant.
  return [
    scaledObject('transform', 'transform', '2000', DATA_TOPIC_PARTITIONS),
    scaledObject('sink-kingdee', 'sink-kingdee', '500', DATA_TOPIC_PARTITIONS),
  ];
}

function serviceMonitors(): Obj[] {
  return [...APPS.map((a) => a.name)].map((name) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name,
      labels: { ...labels(name), release: 'kube-prometheus-stack' },
    },
    spec: {
      selector: { matchLabels: labels(name) },
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    },
  }));
}

function prometheusRules(): Obj[] {
  return ['recording.yml', 'alerts.yml'].map((file) => {
    const text = readFileSync(
      join(ROOT, 'deploy/prometheus/rules', file),
      'utf8',
    );
    const spec = parse(text) as Obj;
    return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `kingbridge-${file.replace('.yml', '')}`,
        labels: { release: 'kube-prometheus-stack' },
      },
      spec,
    };
  });
}

const HEADER =
  '# Generated by deploy/k8s/generate.ts from plans/, deploy/alertmanager and deploy/prometheus/rules: do not edit.\n';

function yamlDocs(objs: readonly Obj[]): string {
  return HEADER + objs.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** Every generated file, path relative to the repo -> content. */
export function renderManifests(
  plansDir = join(ROOT, 'plans'),
): Record<string, string> {
  const plans = planFiles(plansDir);
  const app = (name: string) => APPS.find((a) => a.name === name) as AppSpec;
  const withService = (a: AppSpec) => [deployment(a), service(a.name, a.port)];
  const files: Record<string, Obj[]> = {
    'namespace.yaml': [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kingbridge' } },
    ],
    'config.yaml': [configMap()],
    'source-connectors.yaml': APPS.filter((a) =>
      a.name.startsWith('source-connector-'),
    ).flatMap(withService),
    'transform.yaml': withService(app('transform')),
    'sink-kingdee.yaml': withService(app('sink-kingdee')),
    'status-exporter.yaml': withService(app('status-exporter')),
    'alert-webhook.yaml': withService(app('alert-webhook')),
    'alertmanager.yaml': alertmanager(),
    'pod-disruption-budgets.yaml': pdbs(),
    'network-policies.yaml': networkPolicies(),
    'scaled-objects.yaml': scaledObjects(),
  };
  const out: Record<string, string> = {};
  for (const [file, objs] of Object.entries(files))
    out[`deploy/k8s/base/${file}`] = yamlDocs(objs);
  out['deploy/k8s/base/kustomization.yaml'] =
    HEADER +
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'kingbridge',
      labels: [{ pairs: PART_OF, includeSelectors: false }],
      resources: Object.keys(files),
      // Generated with a content hash in the name: a plan or routing change rolls the pods that mount it.
      configMapGenerator: [
        {
          name: 'kingbridge-plans',
          files: Object.keys(plans).map((f) => `plans/${f}`),
        },
        { name: 'alertmanager-config', files: ['alertmanager.yml'] },
      ],
      images: [
        {
          name: IMAGE,
          newName: 'registry.example.com/kingbridge',
          newTag: '0.1.0',
        },
      ],
    });
  for (const [f, text] of Object.entries(plans))
    out[`deploy/k8s/base/plans/${f}`] = text;
  out['deploy/k8s/base/alertmanager.yml'] = readFileSync(
    join(ROOT, 'deploy/alertmanager/alertmanager.yml'),
    'utf8',
  );
  out['deploy/k8s/monitoring/service-monitors.yaml'] =
    yamlDocs(serviceMonitors());
  out['deploy/k8s/monitoring/prometheus-rules.yaml'] =
    yamlDocs(prometheusRules());
  out['deploy/k8s/monitoring/kustomization.yaml'] =
    HEADER +
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1alpha1',
      kind: 'Component',
      resources: ['service-monitors.yaml', 'prometheus-rules.yaml'],
    });
  return out;
}
