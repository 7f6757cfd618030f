import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Runs `bench/<script>` (tsx) with `options` as JSON in argv[2]; resolves with the JSON object the script prints
 * as its first stdout line (its address) and the child.
 */
export async function startChild<T>(
  script: string,
  options: Record<string, unknown>,
  nodeArgs: readonly string[] = [],
): Promise<{ info: T; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      resolve(__dirname, '..', script),
      JSON.stringify(options),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((done, fail) => {
    const lines = createInterface({
      input: child.stdout as NodeJS.ReadableStream,
    });
    lines.once('line', done);
    child.once('exit', (code) =>
      fail(new Error(`${script} exited with ${code}`)),
    );
  });
  return { info: JSON.parse(first) as T, child };
}
