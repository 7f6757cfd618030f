import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { typecheckProject } from '../typecheck-project';

describe('typecheck-project', () => {
  const root = mkdtempSync(join(tmpdir(), 'kb-typecheck-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022' },
      include: ['**/*.ts'],
    }),
  );
  for (const [file, text] of [
    [
      'broken/bad.ts',
      "import { n } from '../fine/ok';\nexport const x: string = n;\n",
    ],
    ['fine/ok.ts', 'export const n: number = 1;\n'],
  ] as const) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }

  it("should name each type error of the folder's files with file, line and column", () => {
    const errors = typecheckProject('broken', root);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^broken\/bad\.ts:2:14: error TS2322: Type 'number' is not assignable to type 'string'/,
    );
  });

  it("should report nothing for a folder whose files are sound, even when another folder's are not", () => {
    expect(typecheckProject('fine', root)).toEqual([]);
  });
});
