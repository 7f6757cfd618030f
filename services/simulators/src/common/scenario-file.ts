import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Reads a scenario file (`.json`, `.yaml`/`.yml`) and returns its content unvalidated; each simulator
 * validates its own section with its zod schema. Layout: `{ "<simulator name>": { ...options } }`.
 */
export function readScenarioFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const data: unknown = /\.ya?ml$/i.test(path)
    ? parseYaml(text)
    : JSON.parse(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(
      `scenario file ${path}: top level must be an object keyed by simulator name`,
    );
  }
  return data as Record<string, unknown>;
}

/** Reads an NDJSON file: one JSON value per non-empty line. */
export function readNdjsonFile(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`${path}:${n}: not valid JSON`);
      }
    });
}
