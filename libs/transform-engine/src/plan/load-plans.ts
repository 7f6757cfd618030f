import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { zodPath } from '@kingbridge/contracts';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PlanCompileError } from '../mapping/plan-compile.error';
import { compileFlow } from '../flow/flow-transformer';
import { InMemoryLookupProvider } from '../lookup/lookup-provider';
import { syncPlanSchema, type SyncPlan } from './sync-plan.schema';

/** A plan file that failed validation: every issue as `<file>: <path>: <message>`. */
export class PlanValidationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join('\n'));
    this.name = 'PlanValidationError';
  }
}

export interface LoadedPlan {
  readonly file: string;
  readonly plan: SyncPlan;
}

const requiredMessage = (issue: {
  input?: unknown;
  code?: string;
}): string | undefined =>
  issue.input === undefined && issue.code === 'invalid_type'
    ? 'Required'
    : undefined;

function describeIssues(file: string, error: z.ZodError): string[] {
  // A union reports its branches; keep the deepest, most specific issues.
  const issues = error.issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && 'errors' in issue) {
      const branches = (issue.errors as z.core.$ZodIssue[][]).map((b) =>
        b.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
      );
      const best = branches.reduce(
        (a, b) =>
          Math.max(0, ...b.map((i) => i.path.length)) >
          Math.max(0, ...a.map((i) => i.path.length))
            ? b
            : a,
        branches[0] ?? [],
      );
      return best.length > 0 ? best : [issue];
    }
    return [issue];
  });
  return issues.map((i) => `${file}: ${zodPath(i.path)}: ${i.message}`);
}

/**
 * Parses and validates one plan text (YAML or JSON), then compiles it so
 * every template, expression and condition is checked. Throws
 * PlanValidationError with `<file>: <path>: <reason>` lines.
 */
export function parsePlan(text: string, file: string): SyncPlan {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanValidationError(
      doc.errors.map(
        (e) =>
          `${file}:${text.slice(0, e.pos[0]).split('\n').length}: (syntax): ${e.message.split('\n')[0]}`,
      ),
    );
  }
  const parsed = syncPlanSchema.safeParse(doc.toJS(), {
    error: requiredMessage,
  });
  if (!parsed.success)
    throw new PlanValidationError(describeIssues(file, parsed.error));
  try {
    compileFlow(parsed.data, { lookups: new InMemoryLookupProvider({}) });
  } catch (err) {
    if (err instanceof PlanCompileError)
      throw new PlanValidationError([`${file}: ${err.path}: ${err.reason}`]);
    throw err;
  }
  return parsed.data;
}

/**
 * Loads every `*.yaml|*.yml|*.json` plan in `dir`. Validates all files and
 * throws one PlanValidationError listing every problem (file + field path);
 * also refuses two plans with the same id or the same source stream + target.
 */
export async function loadPlans(dir: string): Promise<LoadedPlan[]> {
  const names = (await readdir(dir))
    .filter((n) => ['.yaml', '.yml', '.json'].includes(extname(n)))
    .sort();
  const problems: string[] = [];
  const plans: LoadedPlan[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      plans.push({ file, plan: parsePlan(await readFile(file, 'utf8'), file) });
    } catch (err) {
      if (err instanceof PlanValidationError) problems.push(...err.issues);
      else throw err;
    }
  }
  const ids = new Map<string, string>();
  for (const { file, plan } of plans) {
    const other = ids.get(plan.id);
    if (other)
      problems.push(
        `${file}: id: duplicate flow id '${plan.id}' (also in ${basename(other)})`,
      );
    ids.set(plan.id, file);
  }
  if (problems.length > 0) throw new PlanValidationError(problems);
  return plans;
}
