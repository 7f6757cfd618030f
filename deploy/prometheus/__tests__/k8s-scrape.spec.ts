import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

interface K8sDoc {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: Array<{ port: number; targetPort: string }>;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Array<{
          ports?: Array<{ name: string; containerPort: number }>;
        }>;
      };
    };
  };
}

function docs(file: string): K8sDoc[] {
  return parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'))
    .map((d) => d.toJS() as K8sDoc | null)
    .filter((d): d is K8sDoc => d !== null);
}

const services = docs('deploy/prometheus/k8s/metrics-services.yaml');
const deployments = [
  'source-connectors',
  'transform',
  'sink-kingdee',
  'status-exporter',
  'alert-webhook',
].flatMap((f) =>
  docs(`deploy/k8s/base/${f}.yaml`).filter((d) => d.kind === 'Deployment'),
);
const scrapeTargets = (
  parse(
    readFileSync(join(ROOT, 'deploy/prometheus/prometheus.k8s.yml'), 'utf8'),
  ) as {
    scrape_configs: Array<{
      job_name: string;
      dns_sd_configs?: Array<{ names: string[]; port: number }>;
    }>;
  }
).scrape_configs.flatMap((c) =>
  (c.dns_sd_configs ?? []).flatMap((d) =>
    d.names.map((name) => ({ job: c.job_name, name, port: d.port })),
  ),
);

describe('kubernetes scrape discovery', () => {
  it('should validate every metrics Service against the Kubernetes schema', () => {
    expect(services.length).toBe(8);
    for (const s of services)
      expect(
        () => new Service(s as never).validate(),
        s.metadata.name,
      ).not.toThrow();
  });

  it.each(scrapeTargets.map((t) => [t.name, t] as const))(
    'should resolve %s to the pods of a deployment on their http port',
    (_, target) => {
      const serviceName = target.name.split('.')[0];
      expect(target.name).toBe(`${serviceName}.kingbridge.svc.cluster.local`);

      const service = services.find((s) => s.metadata.name === serviceName);
      expect(service, `no headless Service ${serviceName}`).toBeDefined();
      expect(service!.spec.clusterIP).toBe('None');
      const deployment = deployments.find((d) =>
        Object.entries(service!.spec.selector ?? {}).every(
          ([k, v]) => d.spec.template?.metadata.labels[k] === v,
        ),
      );
      expect(
        deployment,
        `${serviceName} selects no Deployment in deploy/k8s/base`,
      ).toBeDefined();
      const http = deployment!.spec.template!.spec.containers[0]?.ports?.find(
        (p) => p.name === 'http',
      );
      expect(http?.containerPort).toBe(target.port);
      expect(service!.spec.ports?.[0]).toMatchObject({
        port: target.port,
        targetPort: 'http',
      });
    },
  );

  it('should scrape every deployment of the base', () => {
    const scraped = new Set(scrapeTargets.map((t) => t.name.split('.')[0]));

    for (const d of deployments)
      expect(scraped).toContain(`${d.metadata.name}-metrics`);
  });
});
