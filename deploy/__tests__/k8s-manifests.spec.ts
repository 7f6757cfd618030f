import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';

const BASE = 'deploy/k8s/base';

type Doc = { kind: string; metadata: { name: string }; [k: string]: unknown };

function loadDocs(): Array<{ file: string; doc: Doc }> {
  const kustomization = parseAllDocuments(
    readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(BASE, file), 'utf8'))
      .map((d) => d.toJS() as Doc | null)
      .filter((d): d is Doc => d !== null)
      .map((doc) => ({ file, doc })),
  );
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment: Deployment as never,
  Service: Service as never,
  Job: Job as never,
  ConfigMap: ConfigMap as never,
  Namespace: Namespace as never,
  ScaledObject: ScaledObject as never,
};

describe('kubernetes manifests (offline)', () => {
  const docs = loadDocs();

  it('should validate every resource listed in the kustomization against its schema', () => {
    expect(docs.length).toBeGreaterThan(5);
    for (const { file, doc } of docs) {
      const Model = MODELS[doc.kind];
      expect(Model, `${file}: unexpected kind ${doc.kind}`).toBeDefined();
      expect(
        () =>
          new (Model as new (d: unknown) => { validate(): void })(
            doc,
          ).validate(),
        `${file} ${doc.kind}/${doc.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('should deploy every service that has a main.ts, and one source connector per platform', () => {
    const deployments = docs
      .filter((d) => d.doc.kind === 'Deployment')
      .map((d) => d.doc);
    const scripts = deployments.map(
      (d) =>
        (
          d as unknown as {
            spec: {
              template: { spec: { containers: Array<{ args: string[] }> } };
            };
          }
        ).spec.template.spec.containers[0]?.args[0],
    );
    for (const svc of readdirSync('services')) {
      if (svc === 'simulators' || svc === 'pipeline-e2e') continue;
      if (!existsSync(join('services', svc, 'src/main.ts'))) continue;
      expect(scripts, `services/${svc} has no Deployment`).toContain(
        `services/${svc}/src/main.ts`,
      );
    }
    const connectorIds = deployments.flatMap((d) =>
      (
        (
          d as unknown as {
            spec: {
              template: {
                spec: {
                  containers: Array<{
                    env?: Array<{ name: string; value?: string }>;
                  }>;
                };
              };
            };
          }
        ).spec.template.spec.containers[0]?.env ?? []
      )
        .filter((e) => e.name === 'CONNECTOR_ID')
        .map((e) => e.value),
    );
    expect(connectorIds.sort()).toEqual([
      'jackyun',
      'jushuitan',
      'wdt',
      'xiaoman',
    ]);
  });

  it('should give every KEDA Kafka trigger the required keys and cap replicas at the partition count', () => {
    const scaled = docs
      .filter((d) => d.doc.kind === 'ScaledObject')
      .map(
        (d) =>
          d.doc as unknown as {
            spec: {
              maxReplicaCount: number;
              triggers: Array<{
                type: string;
                metadata: Record<string, string>;
              }>;
            };
          },
      );
    expect(scaled.length).toBeGreaterThanOrEqual(2);
    for (const s of scaled) {
      expect(s.spec.maxReplicaCount).toBeLessThanOrEqual(6);
      for (const t of s.spec.triggers) {
        expect(t.type).toBe('kafka');
        for (const key of [
          'bootstrapServers',
          'consumerGroup',
          'lagThreshold',
          'offsetResetPolicy',
        ]) {
          expect(t.metadata[key], key).toBeTypeOf('string');
        }
      }
    }
  });
});
