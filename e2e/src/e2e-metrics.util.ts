import { parsePrometheusText, sumOf, type Sample } from '@kingbridge/stack';

/** The samples of one service's /metrics page (empty when it does not answer). */
export async function metricsOf(port: number): Promise<Sample[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(3_000),
    });
    return res.ok ? parsePrometheusText(await res.text()) : [];
  } catch {
    return [];
  }
}

/** Raw /metrics text (for the secret leak check). */
export async function metricsText(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(3_000),
    });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

export { sumOf };
