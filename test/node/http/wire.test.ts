// The Worker's codings on the wire: the generated site bundled as wrangler deploys it and served
// by plain workerd, read with node:http (which decodes nothing), so that what a reader downloads
// is what is checked: Content-Encoding, Content-Length and the bytes themselves.

import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../../../scripts/support/bundle-worker.ts';
import { type CacheServer, startCacheServer } from '../../../scripts/support/cache-server.ts';
import {
  listModulesBeside,
  startWorkerd,
  type WorkerdProcess,
} from '../../../scripts/support/workerd.ts';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let dir: string;
let cache: CacheServer;
let server: WorkerdProcess;

/** One request to workerd, its bytes as they arrived. */
function send(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method, headers },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feed-publisher-wire-'));
  // The paged fixture as global-setup built it, its bodies pre-compressed.
  const bundle = await bundleWorker({
    outDir: dir,
    siteModule: join(import.meta.dirname, '..', '..', 'generated', 'paged.js'),
  });
  cache = await startCacheServer();
  server = await startWorkerd({
    ...listModulesBeside(
      bundle.file,
      join(import.meta.dirname, '..', '..', 'generated', 'paged.assets'),
    ),
    cachePort: cache.port,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await cache?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(['/rss.xml', '/atom.xml', '/feed.json', '/'])('%s on the wire', (path) => {
  it('goes out in br, gzip or identity as asked, each with its own length, decoding to the same bytes', async () => {
    const plain = await send(path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.byteLength);
    const br = await send(path, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBe(br.body.byteLength);
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    const gzip = await send(path, { 'Accept-Encoding': 'br;q=0.5, gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(Number(gzip.headers['content-length'])).toBe(gzip.body.byteLength);
    expect(gunzipSync(gzip.body)).toEqual(plain.body);
    expect(br.body.byteLength).toBeLessThan(gzip.body.byteLength);
    expect(gzip.body.byteLength).toBeLessThan(plain.body.byteLength);
    for (const res of [plain, br, gzip]) expect(res.headers.vary).toBe('Accept-Encoding');
  });

  it('answers HEAD with the length of the coding asked for, and no body', async () => {
    for (const coding of ['br', 'gzip', 'identity']) {
      const get = await send(path, { 'Accept-Encoding': coding });
      const head = await send(path, { 'Accept-Encoding': coding }, 'HEAD');
      expect(head.body.byteLength).toBe(0);
      expect(head.headers['content-encoding'], coding).toBe(get.headers['content-encoding']);
      expect(head.headers.etag, coding).toBe(get.headers.etag);
      // RFC 9110 §9.3.2: the length the GET sends.
      expect(Number(head.headers['content-length']), coding).toBe(get.body.byteLength);
    }
  });
});

describe('a feed query on the wire', () => {
  it('is compressed by workerd itself when its fields name a coding (the default encodeBody)', async () => {
    const plain = await send('/feed.json?limit=3');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await send('/feed.json?limit=3', { 'Accept-Encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    const gzip = await send('/feed.json?limit=3', { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body)).toEqual(plain.body);
  });
});
