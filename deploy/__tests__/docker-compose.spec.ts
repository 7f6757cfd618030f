import { existsSync, readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baseConfigSchema } from '@kingbridge/config';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  image?: string;
  build?: unknown;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), {
  merge: true,
}) as {
  services: Record<string, ComposeService>;
};

/** Variables a service declares in its .env.example (active or commented). */
function declaredVariables(service: string): Set<string> {
  const file = join('services', service, '.env.example');
  const names = new Set(Object.keys(baseConfigSchema.shape));
  if (!existsSync(file)) return names;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line.trim());
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

describe('docker-compose.yml (offline)', () => {
  const services = compose.services;
  const appServices = Object.entries(services).filter(([, s]) =>
    s.command?.[0]?.startsWith('services/'),
  );

  it('should run every service that has a main.ts, and each connector platform', () => {
    const commands = appServices.map(([, s]) => s.command?.[0]);
    for (const svc of readdirSync('services')) {
      if (
        !existsSync(join('services', svc, 'src/main.ts')) ||
        svc === 'pipeline-e2e'
      )
        continue;
      expect(
        commands,
        `services/${svc} missing from docker-compose.yml`,
      ).toContain(`services/${svc}/src/main.ts`);
    }
    const connectorIds = appServices
      .map(([, s]) => s.environment?.CONNECTOR_ID)
      .filter(Boolean);
    expect(connectorIds.sort()).toEqual([
      'jackyun',
      'jushuitan',
      'wdt',
      'xiaoman',
    ]);
  });

  it('should only set variables the service declares in its .env.example', () => {
    for (const [name, s] of appServices) {
      const service = (s.command?.[0] ?? '').split('/')[1] as string;
      if (service === 'simulators') continue;
      const declared = declaredVariables(service);
      for (const key of Object.keys(s.environment ?? {})) {
        expect(
          declared.has(key),
          `${name}: ${key} is not a variable of services/${service}`,
        ).toBe(true);
      }
    }
  });

  it('should reference only existing files and services', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const host = v.split(':')[0] as string;
        if (host.startsWith('./'))
          expect(existsSync(host), `${name}: ${host}`).toBe(true);
      }
      for (const dep of Object.keys(s.depends_on ?? {})) {
        expect(
          services[dep],
          `${name} depends on unknown ${dep}`,
        ).toBeDefined();
      }
    }
    expect(existsSync('deploy/docker/Dockerfile')).toBe(true);
  });

  it('should scrape the compose service names from the docker Prometheus config', () => {
    const prom = readFileSync(
      'deploy/prometheus/prometheus.docker.yml',
      'utf8',
    );
    for (const [name] of appServices) {
      if (name === 'simulators') continue;
      expect(prom, `prometheus.docker.yml does not scrape ${name}`).toContain(
        `${name}:`,
      );
    }
  });
});
