import { describe, expect, it } from 'vitest';
import { runTsxCli, type CliRun } from '@kingbridge/testing';
import type { OperatorCommand } from '@kingbridge/scripts';
import { OPERATOR_COMMANDS } from '@kingbridge/scripts';
import { run, usage, type CliIo } from '../kingbridge';

function captured(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t),
    err: (t) => (err += t),
    stdout: () => out,
    stderr: () => err,
  };
}

/** A command table whose one command records the arguments it was given. */
function recording(): {
  commands: Record<string, OperatorCommand>;
  calls: string[][];
} {
  const calls: string[][] = [];
  return {
    calls,
    commands: {
      echo: {
        summary: 'records its arguments',
        script: 'none',
        load: async () => async (argv) => {
          calls.push([...argv]);
          return argv.includes('--fail') ? 1 : 0;
        },
      },
    },
  };
}

describe('kingbridge CLI: dispatch', () => {
  it('should pass the arguments after the command to it and return its exit code', async () => {
    const { commands, calls } = recording();
    const io = captured();

    const ok = await run(['echo', 'a', '--b', 'c'], io, commands);
    const failed = await run(['echo', '--fail'], io, commands);

    expect(calls).toEqual([['a', '--b', 'c'], ['--fail']]);
    expect([ok, failed]).toEqual([0, 1]);
  });

  it('should list every operator command in its help and exit 0', async () => {
    const io = captured();

    const code = await run(['--help'], io);

    expect(code).toBe(0);
    for (const name of [
      'plan',
      'reconcile',
      'trace',
      'backfill',
      'dlq',
      'lookups',
      'migrate',
    ])
      expect(io.stdout()).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(Object.keys(OPERATOR_COMMANDS).sort()).toEqual([
      'backfill',
      'dlq',
      'lookups',
      'migrate',
      'plan',
      'reconcile',
      'trace',
    ]);
  });

  it.each([
    [['frobnicate'], 'unknown command frobnicate'],
    [['--verbose', 'plan'], 'unknown option --verbose'],
    [[], 'give a command'],
  ])(
    'should name the problem and exit 2 when the command line is %j',
    async (argv, message) => {
      const { commands, calls } = recording();
      const io = captured();

      const code = await run(argv, io, commands);

      expect(code).toBe(2);
      expect(io.stderr()).toContain(message);
      expect(io.stderr()).toContain(usage(commands));
      expect(calls).toEqual([]);
    },
  );
});

const kb = (args: readonly string[]): Promise<CliRun> =>
  runTsxCli('tools/src/kingbridge.ts', args, 60_000);

describe('kingbridge CLI: the real commands', () => {
  it('should validate the repo plans with plan validate', async () => {
    const r = await kb(['plan', 'validate', 'plans']);

    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ plan\(s\) valid$/m);
  });

  it.each(Object.keys(OPERATOR_COMMANDS))(
    'should print the usage of %s on --help and exit 0',
    async (name) => {
      const r = await kb([name, '--help']);

      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage:/);
    },
  );

  it.each([
    ['plan', 'validate', '--bogus'],
    ['reconcile', '--all', '--bogus', 'x'],
    ['trace', '--source-id', 'S1', '--bogus'],
    ['backfill', '--bogus'],
    ['dlq', 'list', 'a.dlq', '--bogus'],
    ['lookups', 'list', '--bogus'],
    ['migrate', '--bogus'],
  ])('should name an unknown option and exit 2: %s', async (...argv) => {
    const r = await kb(argv);

    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });
});
