import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_TOPIC_PARTITIONS } from '@kingbridge/contracts';
import {
  ScaledObject,
  TriggerAuthentication,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SECRET_MOUNT } from '../k8s/manifests';
import {
  ROOT,
  checkProcessConfig,
  repoPathOf,
} from '../service-config-check.util';

/*
 * The overlays as kustomize renders them (kubectl kustomize), every object
 * validated against its schema, then every container's own config schema over
 * the environment the cluster would give it: ConfigMap, env, and the Secret's
 * files where the *_FILE variables point.
 */

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Record<string, unknown>;
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  image?: string;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    secret?: { secretName: string };
    configMap?: { name: string };
  }[];
  securityContext?: Record<string, unknown>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    template?: { spec: PodSpec };
    maxReplicaCount?: number;
    triggers?: {
      metadata: Record<string, string>;
      authenticationRef?: { name: string };
    }[];
    [k: string]: unknown;
  };
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync(
    'kubectl',
    ['kustomize', join(ROOT, 'deploy/k8s/overlays', overlay)],
    {
      encoding: 'utf8',
    },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment: Deployment as never,
  StatefulSet: StatefulSet as never,
  Service: Service as never,
  ConfigMap: ConfigMap as never,
  Secret: Secret as never,
  Namespace: Namespace as never,
  PodDisruptionBudget: PodDisruptionBudget as never,
  NetworkPolicy: NetworkPolicy as never,
  ScaledObject: ScaledObject as never,
  TriggerAuthentication: TriggerAuthentication as never,
};

const tmp = mkdtempSync(join(tmpdir(), 'kb-k8s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Placeholder contents for the production Secret's keys (it is created out of band). */
function fakeSecret(key: string): string {
  if (key === 'DATABASE_URL')
    return 'postgres://kingbridge:pw@pg.example.com:5432/kingbridge';
  if (key.endsWith('_CA'))
    return '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----';
  if (key.endsWith('WEBHOOK_URL'))
    return 'https://robot.example.com/send?key=x';
  return `${key.toLowerCase()}-value-0123456789`;
}

/** The environment a container gets, with secret files materialised under a temp dir; paths are rewritten. */
function containerEnv(
  objects: readonly K8sObject[],
  pod: PodSpec,
  container: Container,
  secretValue: (secret: string, key: string) => string | undefined,
): { env: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name ?? from.secretRef?.name;
    const obj = objects.find(
      (o) =>
        (o.kind === 'ConfigMap' || o.kind === 'Secret') &&
        o.metadata.name === name,
    );
    if (!obj) problems.push(`envFrom ${name}: no such object`);
    Object.assign(env, obj?.data ?? {});
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom)
      problems.push(`${e.name}: valueFrom (secrets must come as *_FILE)`);
    else env[e.name] = e.value ?? '';
  }
  const dir = mkdtempSync(join(tmp, `${container.name}-`));
  for (const [key, value] of Object.entries(env)) {
    if (!value.startsWith('/')) continue;
    const mount = (container.volumeMounts ?? []).find(
      (m) => value.startsWith(`${m.mountPath}/`) || value === m.mountPath,
    );
    if (!mount) {
      if (key.endsWith('_FILE'))
        problems.push(`${key}=${value}: not on a mounted volume`);
      else env[key] = repoPathOf(value); // in the image (plans, runbooks)
      continue;
    }
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    const local = join(dir, mount.name);
    mkdirSync(local, { recursive: true });
    if (volume?.secret) {
      const secretKey = value.slice(mount.mountPath.length + 1);
      const content = secretValue(volume.secret.secretName, secretKey);
      if (content === undefined)
        problems.push(
          `${key}: Secret ${volume.secret.secretName} has no key ${secretKey}`,
        );
      else writeFileSync(join(local, secretKey), content);
    } else if (volume?.configMap) {
      const cm = objects.find(
        (o) =>
          o.kind === 'ConfigMap' && o.metadata.name === volume.configMap?.name,
      );
      if (!cm)
        problems.push(
          `${mount.name}: ConfigMap ${volume.configMap.name} missing`,
        );
      for (const [f, text] of Object.entries(cm?.data ?? {}))
        writeFileSync(join(local, f), text);
    }
    env[key] = join(local, value.slice(mount.mountPath.length + 1));
  }
  return { env, problems };
}

const overlays = ['demo', 'production'] as const;
const rendered = Object.fromEntries(
  overlays.map((o) => [o, render(o)]),
) as Record<(typeof overlays)[number], K8sObject[]>;
const workloads = (objs: readonly K8sObject[]) =>
  objs.filter(
    (o) =>
      o.kind === 'Deployment' &&
      o.spec?.template?.spec.containers[0]?.image?.includes('kingbridge'),
  );

function secretLookup(overlay: (typeof overlays)[number]) {
  return (secret: string, key: string): string | undefined => {
    if (overlay === 'production')
      return secret === 'kingbridge-secrets' ? fakeSecret(key) : undefined;
    const obj = rendered.demo.find(
      (o) => o.kind === 'Secret' && o.metadata.name === secret,
    );
    const b64 = obj?.data?.[key];
    return b64 === undefined
      ? undefined
      : Buffer.from(b64, 'base64').toString('utf8');
  };
}

describe('kubernetes manifests', () => {
  it.each(overlays)(
    '%s: every rendered object is valid for its kind',
    (overlay) => {
      for (const obj of rendered[overlay]) {
        if (obj.apiVersion === 'monitoring.coreos.com/v1') {
          expect(['ServiceMonitor', 'PrometheusRule']).toContain(obj.kind);
          continue;
        }
        // kustomize wraps long base64 values over lines; the API server accepts that, the JSON schema does not.
        if (obj.kind === 'Secret')
          obj.data = Object.fromEntries(
            Object.entries(obj.data ?? {}).map(([k, v]) => [
              k,
              v.replace(/\s+/g, ''),
            ]),
          );
        const Model = MODELS[obj.kind];
        expect(Model, `unexpected kind ${obj.kind}`).toBeDefined();
        expect(
          () =>
            new (Model as new (d: unknown) => { validate(): void })(
              obj,
            ).validate(),
          `${obj.kind}/${obj.metadata.name}`,
        ).not.toThrow();
      }
    },
  );

  it.each(overlays)(
    '%s: every container starts: its own config schema accepts the ConfigMap, env and mounted secret files',
    async (overlay) => {
      const objs = rendered[overlay];
      const failures: string[] = [];
      const services = new Set(
        objs.filter((o) => o.kind === 'Service').map((o) => o.metadata.name),
      );
      for (const d of workloads(objs)) {
        const pod = d.spec?.template?.spec as PodSpec;
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          const { env, problems } = containerEnv(
            objs,
            pod,
            c,
            secretLookup(overlay),
          );
          failures.push(
            ...problems.map((p) => `${d.metadata.name}/${c.name}: ${p}`),
          );
          try {
            const { config } = await checkProcessConfig(c.args ?? [], env);
            for (const [key, value] of Object.entries(config)) {
              if (key === 'RUNBOOK_BASE_URL') continue;
              // A connector reads only its own platform's endpoint.
              const platform = config['CONNECTOR_ID'];
              if (
                typeof platform === 'string' &&
                key.endsWith('_BASE_URL') &&
                !key.startsWith(`${platform.toUpperCase()}_`)
              )
                continue;
              for (const v of Array.isArray(value) ? value : [value]) {
                if (typeof v !== 'string') continue;
                const host =
                  key === 'KAFKA_BROKERS'
                    ? v.split(':')[0]
                    : /^[a-z]+:\/\//.test(v)
                      ? new URL(v).hostname
                      : undefined;
                if (host === undefined) continue;
                if (host === '127.0.0.1' || host === 'localhost')
                  failures.push(
                    `${d.metadata.name}/${c.name}: ${key} points at loopback (a default left in?)`,
                  );
                if (
                  overlay === 'demo' &&
                  !host.includes('.') &&
                  !services.has(host)
                )
                  failures.push(
                    `${d.metadata.name}/${c.name}: ${key} host ${host} is no Service`,
                  );
              }
            }
            if (overlay === 'production' && config['KAFKA_BROKERS'])
              expect(
                env['KAFKA_SECURITY_PROTOCOL'],
                `${d.metadata.name}/${c.name}`,
              ).toBe('SASL_SSL');
          } catch (err) {
            failures.push(
              `${d.metadata.name}/${c.name}: ${(err as Error).message}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it.each(overlays)(
    '%s: the operator CLI runs in the sink pod (kubectl exec deploy/sink-kingdee -- kingbridge ...) with its env, not loopback',
    async (overlay) => {
      const objs = rendered[overlay];
      const sink = objs.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === 'sink-kingdee',
      );
      const pod = sink?.spec?.template?.spec as PodSpec;
      const main = pod.containers[0] as Container;
      const { env, problems } = containerEnv(
        objs,
        pod,
        main,
        secretLookup(overlay),
      );
      expect(problems).toEqual([]);
      const { config } = await checkProcessConfig(
        ['dist/tools/src/kingbridge.js'],
        env,
      );
      const brokers = config['KAFKA_BROKERS'] as string[];
      expect(brokers.length).toBeGreaterThan(0);
      for (const b of brokers)
        expect(b).not.toMatch(/^(127\.0\.0\.1|localhost):/);
      expect(new URL(String(config['DATABASE_URL'])).hostname).not.toMatch(
        /^(127\.0\.0\.1|localhost)$/,
      );
      if (overlay === 'production')
        expect(env['KAFKA_SECURITY_PROTOCOL']).toBe('SASL_SSL');
    },
  );

  it.each(overlays)(
    '%s: non-root, read-only root FS, probes, a PDB for every workload, ingress denied by default',
    (overlay) => {
      const objs = rendered[overlay];
      const pdbs = objs
        .filter((o) => o.kind === 'PodDisruptionBudget')
        .map((o) => o.metadata.name);
      for (const d of objs.filter((o) => o.kind === 'Deployment')) {
        const pod = d.spec?.template?.spec as PodSpec;
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          const where = `${d.metadata.name}/${c.name}`;
          expect(c.securityContext?.['readOnlyRootFilesystem'], where).toBe(
            true,
          );
          expect(c.securityContext?.['allowPrivilegeEscalation'], where).toBe(
            false,
          );
          expect(
            c.securityContext?.['runAsNonRoot'] ??
              pod.securityContext?.['runAsNonRoot'],
            where,
          ).toBe(true);
        }
        const main = pod.containers[0] as Container;
        if (d.metadata.name !== 'simulators') {
          for (const probe of [
            'startupProbe',
            'readinessProbe',
            'livenessProbe',
          ] as const)
            expect(main[probe], `${d.metadata.name} ${probe}`).toBeDefined();
          expect(
            pdbs,
            `${d.metadata.name} has no PodDisruptionBudget`,
          ).toContain(d.metadata.name);
        }
      }
      const deny = objs.find(
        (o) =>
          o.kind === 'NetworkPolicy' &&
          o.metadata.name === 'default-deny-ingress',
      );
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    },
  );

  it.each(overlays)(
    '%s: connectors single-active (Recreate, one replica), migrations re-runnable in init containers',
    (overlay) => {
      const objs = rendered[overlay];
      const connectors = objs.filter(
        (o) =>
          o.kind === 'Deployment' &&
          o.metadata.name.startsWith('source-connector-'),
      );
      expect(connectors.map((c) => c.metadata.name).sort()).toEqual(
        ['jackyun', 'jushuitan', 'wdt', 'xiaoman'].map(
          (p) => `source-connector-${p}`,
        ),
      );
      for (const c of connectors) {
        expect(c.spec?.strategy?.type, c.metadata.name).toBe('Recreate');
        expect(c.spec?.replicas, c.metadata.name).toBe(1);
      }
      expect(objs.filter((o) => o.kind === 'Job')).toEqual([]);
      for (const name of [
        'transform',
        'sink-kingdee',
        ...connectors.map((c) => c.metadata.name),
      ]) {
        const d = objs.find(
          (o) => o.kind === 'Deployment' && o.metadata.name === name,
        );
        expect(d?.spec?.template?.spec.initContainers?.[0]?.args, name).toEqual(
          ['dist/scripts/migrate.js'],
        );
      }
    },
  );

  it('production: managed Kafka over SASL_SSL for the apps and KEDA, no simulators, kube-prometheus-stack resources, replicas capped at the partitions', () => {
    const objs = rendered.production;
    expect(objs.some((o) => o.metadata.name === 'simulators')).toBe(false);
    expect(objs.some((o) => o.kind === 'StatefulSet')).toBe(false);
    const scaled = objs.filter((o) => o.kind === 'ScaledObject');
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual([
      'sink-kingdee',
      'transform',
    ]);
    const auth = objs.find((o) => o.kind === 'TriggerAuthentication');
    for (const s of scaled) {
      expect(s.spec?.maxReplicaCount).toBeLessThanOrEqual(
        DATA_TOPIC_PARTITIONS,
      );
      const trigger = s.spec?.triggers?.[0];
      expect(trigger?.metadata).toMatchObject({
        sasl: 'scram_sha512',
        tls: 'enable',
      });
      expect(trigger?.authenticationRef?.name).toBe(auth?.metadata.name);
    }
    const monitors = objs
      .filter((o) => o.kind === 'ServiceMonitor')
      .map((o) => o.metadata.name);
    for (const d of workloads(objs))
      expect(monitors).toContain(d.metadata.name);
    const rules = objs.filter((o) => o.kind === 'PrometheusRule');
    const alerts = parse(
      readFileSync(join(ROOT, 'deploy/prometheus/rules/alerts.yml'), 'utf8'),
    ) as unknown;
    expect(rules.map((r) => r.spec)).toContainEqual(alerts);
    // Every secret file a container reads is documented for the operator who creates the Secret.
    const docs = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const keys = new Set<string>();
    for (const o of objs) {
      const text = JSON.stringify(o);
      for (const m of text.matchAll(
        new RegExp(`${SECRET_MOUNT}/([A-Z0-9_]+)`, 'g'),
      ))
        keys.add(m[1] as string);
    }
    expect([...keys].filter((k) => !docs.includes(`\`${k}\``))).toEqual([]);
  });

  it.each(overlays)(
    '%s: plans and the Alertmanager config are ConfigMaps named by their content (a change rolls the pods)',
    (overlay) => {
      const objs = rendered[overlay];
      const plans = objs.find(
        (o) =>
          o.kind === 'ConfigMap' &&
          o.metadata.name.startsWith('kingbridge-plans-'),
      );
      expect(plans?.metadata.name).toMatch(/^kingbridge-plans-[a-z0-9]{10}$/);
      // The base's copy of plans/ (kept in step by deploy/k8s/generate.ts, checked by scripts/check-drift.ts).
      const dir = join(ROOT, 'deploy/k8s/base/plans');
      const yamls = (d: string) =>
        readdirSync(d)
          .filter((f) => f.endsWith('.yaml'))
          .sort();
      expect(yamls(dir)).toEqual(yamls(join(ROOT, 'plans')));
      const seed = Object.fromEntries(
        yamls(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
      );
      expect(plans?.data).toEqual(seed);
      const am = objs.find(
        (o) =>
          o.kind === 'ConfigMap' &&
          o.metadata.name.startsWith('alertmanager-config-'),
      );
      expect(am?.data?.['alertmanager.yml']).toBe(
        readFileSync(
          join(ROOT, 'deploy/alertmanager/alertmanager.yml'),
          'utf8',
        ),
      );
      for (const name of ['transform', 'source-connector-wdt']) {
        const d = objs.find(
          (o) => o.kind === 'Deployment' && o.metadata.name === name,
        );
        expect(
          d?.spec?.template?.spec.volumes?.find((v) => v.name === 'plans')
            ?.configMap?.name,
          name,
        ).toBe(plans?.metadata.name);
      }
    },
  );

  it('demo: simulators, Kafka and Postgres in the cluster, master data before the transform', () => {
    const objs = rendered.demo;
    for (const name of ['simulators', 'kafka', 'postgres'])
      expect(
        objs.some((o) => o.kind === 'Service' && o.metadata.name === name),
        name,
      ).toBe(true);
    const transform = objs.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'transform',
    );
    expect(
      transform?.spec?.template?.spec.initContainers?.map((c) => c.args),
    ).toEqual([
      ['dist/scripts/migrate.js'],
      ['dist/deploy/docker/demo-world.js', 'master-data'],
    ]);
  });
});
