/** GET of a simulator's admin endpoint (`/__admin/...`): the parsed JSON body; throws on an HTTP error. */
export async function getSimulatorJson(
  url: string,
  headers: Record<string, string>,
): Promise<unknown> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}
