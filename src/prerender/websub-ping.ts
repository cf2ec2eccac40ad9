/** Outcome of one publish notification. */
export interface PingResult {
  url: string;
  ok: boolean;
  detail: string;
}

/**
 * Tells a WebSub hub that feeds changed (`hub.mode=publish`, one request per feed URL, as
 * hubs such as pubsubhubbub.appspot.com accept), each bounded by `timeoutMs`.
 */
export async function pingHub(
  hub: string,
  urls: readonly string[],
  timeoutMs = 10_000,
): Promise<PingResult[]> {
  const results: PingResult[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(hub, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      results.push({ url, ok: res.ok, detail: `${res.status} ${res.statusText}`.trim() });
    } catch (error) {
      results.push({ url, ok: false, detail: (error as Error).message });
    }
  }
  return results;
}
