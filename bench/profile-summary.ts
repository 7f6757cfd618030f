/*
 * Where the time goes in a V8 CPU profile (`npm run bench -- --profile` writes one per service process into
 * .cache/bench-kafka/profiles/<service>/): self time by area (kafkajs, zod, our libs, GC, …) and the top
 * functions by self time.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { z } from 'zod';
import {
  UsageError,
  parseCliArgs,
  parseJsonText,
  readTextFile,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({
        functionName: z.string(),
        url: z.string(),
        lineNumber: z.number(),
      }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** The area a frame belongs to: an npm package, one of our projects, node itself or V8's own work. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(program)')
      return functionName;
    return 'V8 / native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const ours = /\/(libs\/(?:connectors\/)?[^/]+|services\/[^/]+|bench)\//.exec(
    url,
  );
  if (ours?.[1]) return ours[1];
  if (url.startsWith('node:')) return 'node';
  return 'other';
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly areas: Array<{ area: string; ms: number; share: number }>;
  readonly functions: Array<{
    name: string;
    area: string;
    ms: number;
    share: number;
  }>;
}

export function summarize(text: string, top = 25): ProfileSummary {
  const profile = profileSchema.parse(JSON.parse(text));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; ms: number }>();
  let total = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    total += ms;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const file = frame.url.replace(
      /^.*\/(node_modules|libs|services)\//,
      '$1/',
    );
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    const f = functions.get(name) ?? { area, ms: 0 };
    f.ms += ms;
    functions.set(name, f);
  }
  const share = (ms: number): number =>
    Math.round((1000 * ms) / Math.max(1, total)) / 10;
  return {
    totalMs: Math.round(total),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, ms: Math.round(ms), share: share(ms) })),
    functions: [...functions]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([name, f]) => ({
        name,
        area: f.area,
        ms: Math.round(f.ms),
        share: share(f.ms),
      })),
  };
}

export const PROFILE_SUMMARY_USAGE =
  'usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]\n  where the busy time of a V8 CPU profile goes, by area and by function (top n, default 25)';

/** Prints the summary of one profile; returns the exit code (1: a bad profile file, 2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'profile-summary', usage: PROFILE_SUMMARY_USAGE },
    async (args) => {
      const { positionals } = parseCliArgs(args, { allowPositionals: true });
      const [file, topText = '25', extra] = positionals;
      if (file === undefined) throw new UsageError('give <file.cpuprofile>');
      if (extra !== undefined)
        throw new UsageError(`unexpected argument ${extra}`);
      const top = Number(topText);
      if (!Number.isInteger(top) || top < 1)
        throw new UsageError(`top: not a positive number: ${topText}`);
      const text = await readTextFile(file);
      parseJsonText(file, text);
      const s = summarize(text, top);
      process.stdout.write(
        `busy ${s.totalMs} ms (idle left out)\n\n| area | ms | % |\n|---|---|---|\n`,
      );
      for (const a of s.areas)
        process.stdout.write(`| ${a.area} | ${a.ms} | ${a.share} |\n`);
      process.stdout.write(
        '\n| function (self time) | area | ms | % |\n|---|---|---|---|\n',
      );
      for (const f of s.functions)
        process.stdout.write(
          `| \`${f.name}\` | ${f.area} | ${f.ms} | ${f.share} |\n`,
        );
      return 0;
    },
  );
}

runIfStartedAs('bench/profile-summary', 'profile-summary', run);
