import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

type Nodes = Array<
  [string, { projects: Record<string, { targets: Record<string, unknown> }> }]
>;
const plugin = createRequire(__filename)('../project-targets.cjs') as {
  createNodesV2: [
    string,
    (
      files: readonly string[],
      options: unknown,
      context: { workspaceRoot: string },
    ) => Promise<Nodes>,
  ];
};

describe('Nx project targets plugin', () => {
  const root = mkdtempSync(join(tmpdir(), 'kb-nx-targets-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const files: Record<string, unknown> = {
    'package.json': { name: 'workspace', nx: {} },
    'libs/a/package.json': { name: '@x/a', nx: { tags: ['type:util'] } },
    'libs/connectors/source-acme/project.json': { name: '@x/source-acme' },
    'fixtures/pkg/package.json': { name: 'not-a-project' },
  };
  for (const [file, body] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), JSON.stringify(body));
  }

  it('should give every project lint, typecheck, test and test-integration over its own folder, and nothing else a project', async () => {
    const [glob, createNodes] = plugin.createNodesV2;
    expect(glob).toBe('**/{package.json,project.json}');
    const nodes = await createNodes(Object.keys(files), undefined, {
      workspaceRoot: root,
    });
    expect(nodes.map(([file]) => file)).toEqual([
      'libs/a/package.json',
      'libs/connectors/source-acme/project.json',
    ]);
    const acme =
      nodes[1]?.[1].projects['libs/connectors/source-acme']?.targets ?? {};
    expect(Object.keys(acme)).toEqual([
      'lint',
      'typecheck',
      'test',
      'test-integration',
    ]);
    expect(acme['typecheck']).toMatchObject({
      executor: 'nx:run-commands',
      options: {
        command:
          'npx tsx scripts/typecheck-project.ts libs/connectors/source-acme',
      },
    });
    expect(acme['test']).toMatchObject({
      options: {
        command:
          'npx vitest run --project unit --passWithNoTests libs/connectors/source-acme/',
      },
    });
  });
});
