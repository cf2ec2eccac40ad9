import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { site } from '../../src/generated/site.js';
import type { EdgeCacheScope } from '../../src/site/types.ts';
import { site as paged } from '../generated/paged.js';
import { serveFixture } from './fixture-app.ts';
import { bindingOf, fetchWorker, WORKER_ORIGIN } from './support.ts';

/** Every kind of body the Worker holds: the three feeds and the index page of the real site. */
const ROUTES = ['/rss.xml', '/atom.xml', '/feed.json', '/'];
const NOW = Date.parse('2026-06-01T00:00:00Z');

/**
 * The real site's app in this isolate: its answers' bodies are the bytes it hands the runtime
 * (br bytes for br). Through `fetchWorker` (the Worker's entrypoint, another isolate's fetch)
 * workerd decodes a body by its Content-Encoding, as fetch() does, so there the bodies read
 * plain, and decoding them proves the bytes were what the field says.
 */
const app = createApp({ site });
const fetchApp = async (path: string, init?: RequestInit): Promise<Response> =>
  app.fetch(new Request(`${WORKER_ORIGIN}${path}`, init), { ASSETS: bindingOf('ASSETS') });

/** A gzip body decoded (workerd's DecompressionStream has no brotli: the node tier decodes br). */
async function readGzip(res: Response): Promise<string> {
  const stream = new Blob([await res.arrayBuffer()])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

describe.each(ROUTES)('content codings of %s', (path) => {
  it('sends the plain bytes without Accept-Encoding (curl without --compressed), and with identity', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'identity' }] as Record<string, string>[]) {
      const res = await fetchWorker(path, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBeNull();
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(await res.text()).toMatch(/^<|^\{/);
    }
  });

  it('sends br, pre-compressed, with its own ETag, when asked', async () => {
    const identity = await fetchWorker(path);
    const plain = new Uint8Array(await identity.arrayBuffer());
    const res = await fetchWorker(path, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    const etag = identity.headers.get('etag') ?? '';
    expect(res.headers.get('etag')).toBe(`${etag.slice(0, -1)}.br"`);
    for (const name of ['content-type', 'last-modified', 'cache-control'])
      expect(res.headers.get(name), name).toBe(identity.headers.get(name));
    // Decoded by workerd as br: the identity bytes.
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(plain);
    // Sent as they are (encodeBody: "manual"): the br bytes the build made, smaller than the body.
    const raw = new Uint8Array(
      await (await fetchApp(path, { headers: { 'Accept-Encoding': 'br' } })).arrayBuffer(),
    );
    expect(raw.byteLength).toBeLessThan(plain.byteLength * 0.6);
    expect(raw.slice(0, 16)).not.toEqual(plain.slice(0, 16));
  });

  it('sends gzip when br is refused or weighs less, decoding to the identity bytes', async () => {
    const plain = await (await fetchWorker(path)).text();
    for (const value of ['br;q=0.5, gzip', 'gzip', 'x-gzip, br;q=0', 'GZIP;q=1']) {
      const res = await fetchWorker(path, { headers: { 'Accept-Encoding': value } });
      expect(res.headers.get('content-encoding'), value).toBe('gzip');
      expect(res.headers.get('etag'), value).toMatch(/\.gz"$/);
      expect(await res.text(), value).toBe(plain);
      const raw = await fetchApp(path, { headers: { 'Accept-Encoding': value } });
      expect(await readGzip(raw), value).toBe(plain);
    }
  });

  it('answers gzip;q=0 and a field with nothing acceptable with the plain bytes', async () => {
    for (const value of ['gzip;q=0', 'zstd', 'identity;q=0, zstd', '']) {
      const res = await fetchWorker(path, { headers: { 'Accept-Encoding': value } });
      expect(res.headers.get('content-encoding'), value).toBeNull();
    }
  });

  it('answers 304 to the tag of any coding of the body, with the tag of the coding asked for', async () => {
    const tags = new Map<string, string>();
    for (const coding of ['br', 'gzip', 'identity']) {
      const res = await fetchWorker(path, { headers: { 'Accept-Encoding': coding } });
      await res.arrayBuffer();
      tags.set(coding, res.headers.get('etag') ?? '');
    }
    expect(new Set(tags.values()).size).toBe(3);
    for (const [held, tag] of tags)
      for (const [asked, expected] of tags) {
        const res = await fetchWorker(path, {
          headers: { 'Accept-Encoding': asked, 'If-None-Match': tag },
        });
        expect(res.status, `${held} tag, ${asked} asked`).toBe(304);
        expect(res.headers.get('etag'), `${held} tag, ${asked} asked`).toBe(expected);
        expect(res.headers.get('vary')).toBe('Accept-Encoding');
        expect(res.headers.get('content-encoding')).toBeNull();
        expect(await res.text()).toBe('');
      }
    // A tag of another body matches no coding.
    const stale = await fetchWorker(path, {
      headers: { 'Accept-Encoding': 'br', 'If-None-Match': '"AAAAAAAAAAAAAAAAAAAAAAAAAAA.br"' },
    });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it('keeps If-Modified-Since working in every coding', async () => {
    const first = await fetchWorker(path);
    await first.arrayBuffer();
    const since = first.headers.get('last-modified') ?? '';
    for (const coding of ['br', 'gzip', 'identity']) {
      const res = await fetchWorker(path, {
        headers: { 'Accept-Encoding': coding, 'If-Modified-Since': since },
      });
      expect(res.status, coding).toBe(304);
      expect(res.headers.get('etag'), coding).toMatch(
        coding === 'identity' ? /[^.]..$/ : coding === 'br' ? /\.br"$/ : /\.gz"$/,
      );
    }
  });

  it('answers HEAD with the fields of the GET in the same coding, and no body', async () => {
    for (const coding of ['br', 'gzip', 'identity']) {
      const headers = { 'Accept-Encoding': coding };
      const get = await fetchWorker(path, { headers });
      const length = (await get.arrayBuffer()).byteLength;
      const head = await fetchWorker(path, { method: 'HEAD', headers });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      for (const name of ['content-type', 'content-encoding', 'etag', 'vary', 'last-modified'])
        expect(head.headers.get(name), `${coding} ${name}`).toBe(get.headers.get(name));
      expect(length).toBeGreaterThan(0);
    }
  });
});

describe.each<EdgeCacheScope>(['computed', 'all'])(
  'feed queries, computed per request (EDGE_CACHE = "%s")',
  (edgeCache) => {
    it('name the coding asked for, which workerd compresses as it sends the answer', async () => {
      const fetch = serveFixture(paged, NOW, { edgeCache });
      const plain = await fetch('/feed.json?limit=3');
      const body = await plain.text();
      expect(plain.headers.get('content-encoding')).toBeNull();
      const etag = plain.headers.get('etag') ?? '';
      for (const coding of ['br', 'gzip']) {
        for (let round = 0; round < 2; round++) {
          const res = await fetch('/feed.json?limit=3', { headers: { 'Accept-Encoding': coding } });
          expect(res.headers.get('content-encoding'), coding).toBe(coding);
          expect(res.headers.get('vary')).toBe('Accept-Encoding');
          // Weak: the runtime, not the build, makes these bytes.
          expect(res.headers.get('etag')).toBe(
            `W/${etag.slice(0, -1)}.${coding === 'br' ? 'br' : 'gz'}"`,
          );
          // In the isolate the body is still the plain bytes: workerd encodes them on the wire
          // (test/node/http/wire.test.ts reads them there, compressed).
          expect(await res.text()).toBe(body);
          if (edgeCache === 'all')
            expect(res.headers.get('x-edge-cache')).toBe(round === 0 ? 'MISS' : 'HIT');
        }
        const again = await fetch('/feed.json?limit=3', {
          headers: { 'Accept-Encoding': coding, 'If-None-Match': etag },
        });
        expect(again.status).toBe(304);
      }
      // The identity entry is still the plain one.
      const last = await fetch('/feed.json?limit=3');
      expect(last.headers.get('content-encoding')).toBeNull();
      expect(await last.text()).toBe(body);
    });
  },
);

describe('the edge cache in front of pre-rendered bodies (EDGE_CACHE = "all")', () => {
  it('stores each coding under its own key and never answers one with another', async () => {
    const fetch = serveFixture(paged, NOW, { edgeCache: 'all' });
    const seen = new Map<string, { etag: string; bytes: string }>();
    // Interleaved, so that each coding meets the entries of the others.
    for (const round of [0, 1])
      for (const coding of ['br', 'identity', 'gzip']) {
        const res = await fetch('/rss.xml', { headers: { 'Accept-Encoding': coding } });
        expect(res.headers.get('x-edge-cache'), coding).toBe(round === 0 ? 'MISS' : 'HIT');
        expect(res.headers.get('content-encoding'), coding).toBe(
          coding === 'identity' ? null : coding,
        );
        const bytes = Array.from(new Uint8Array(await res.arrayBuffer())).join(',');
        const etag = res.headers.get('etag') ?? '';
        const known = seen.get(coding);
        if (known) expect({ etag, bytes }).toEqual(known);
        else seen.set(coding, { etag, bytes });
      }
    expect(new Set([...seen.values()].map((v) => v.bytes)).size).toBe(3);
    const gzip = await fetch('/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    const plain = await fetch('/rss.xml');
    expect(await readGzip(gzip)).toBe(await plain.text());
  });
});
