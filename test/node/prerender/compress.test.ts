import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { measureBundle } from '../../../src/prerender/bundle-size.ts';
import type { BuildOptions } from '../../../src/prerender/run.ts';
import { renderSiteModule } from '../../../src/prerender/site-module.ts';
import type { BuiltSite } from '../../../src/site/types.ts';
import { FIXTURE_VARS, PAGED_ARTICLES, PAGED_VARS, writeArticles } from '../../support/fixtures.ts';
import { APP_MODULE, type AppModule } from '../../support/serve-fixture.ts';
import { FIXTURE_NOW, runTestBuild } from '../support.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** The paged fixture's first eleven days: feeds, one archive page per scope, and few enough bodies to compress quickly. */
const ARTICLES = PAGED_ARTICLES.slice(0, 11);

async function createProject(): Promise<string> {
  const root = await writeArticles(ARTICLES);
  roots.push(root);
  return root;
}

async function build(root: string, options: Partial<BuildOptions> = {}) {
  const result = await runTestBuild({
    root,
    vars: { ...FIXTURE_VARS, ...PAGED_VARS },
    now: FIXTURE_NOW,
    compress: true,
    ...options,
  });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  return result;
}

/** Every version of the site with its identity body, as the Worker joins it. */
function listBodies(site: BuiltSite) {
  return Object.entries(site.routes).flatMap(([path, versions]) =>
    versions.map((version) => ({
      path,
      version,
      body: Buffer.from(version.parts.map((part) => site.chunks[part] ?? '').join('')),
    })),
  );
}

describe('bodies compressed at build time', () => {
  it('gives every Worker body br and gzip bytes that decode to it, br the smaller', async () => {
    const { site, compression } = await build(await createProject());
    const bodies = listBodies(site);
    expect(bodies.length).toBeGreaterThan(10);
    for (const { path, version, body } of bodies) {
      const { br, gzip } = version.codings ?? {};
      if (br === undefined || gzip === undefined) throw new Error(`${path} lacks a coding`);
      const brBytes = site.coded[br] ?? new Uint8Array(0);
      const gzipBytes = site.coded[gzip] ?? new Uint8Array(0);
      expect(brotliDecompressSync(brBytes), path).toEqual(body);
      expect(gunzipSync(gzipBytes), path).toEqual(body);
      expect(brBytes.byteLength, path).toBeLessThan(gzipBytes.byteLength);
    }
    expect(compression).toMatchObject({ both: compression.bodies, one: 0, none: 0 });
    expect(compression.brBytes).toBeLessThan(compression.identityBytes * 0.3);
  });

  it('compresses again only the bodies an edit changed; the rest come from the build cache', async () => {
    const root = await createProject();
    const cold = await build(root, { cache: true });
    const bodies = cold.compression.bodies;
    expect(cold.compression.compressed).toBe(2 * bodies);
    expect(cold.cache?.compress).toEqual({ hits: 0, misses: 2 * bodies });
    const warm = await build(root, { cache: true });
    expect(warm.compression.compressed).toBe(0);
    expect(warm.cache?.compress).toEqual({ hits: 2 * bodies, misses: 0 });
    // The newest article is in the site's feeds and pages, not in the others.
    const path = join(root, 'articles', ARTICLES.at(-1)?.name ?? '');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('brings a paragraph', 'brings an edited paragraph'),
    );
    const edited = await build(root, { cache: true });
    expect(edited.compression.compressed).toBeGreaterThan(0);
    expect(edited.compression.compressed).toBeLessThan(bodies);
    expect(edited.cache?.compress.hits).toBe(2 * bodies - edited.compression.compressed);
    for (const { path: route, version, body } of listBodies(edited.site)) {
      const br = edited.site.coded[version.codings?.br ?? -1] ?? new Uint8Array(0);
      expect(
        gunzipSync(edited.site.coded[version.codings?.gzip ?? -1] ?? new Uint8Array(0)),
        route,
      ).toEqual(body);
      expect(brotliDecompressSync(br), route).toEqual(body);
    }
  });

  it('fits the codings into BUNDLE_LIMIT_MIB, the site feeds last to go, and says so', async () => {
    const root = await createProject();
    // With the cache, the second build compresses nothing again.
    const all = await build(root, { cache: true });
    const bareSize = await measureBundle(renderSiteModule({ ...all.site, coded: [] }));
    const coded = all.compression.brBytes + all.compression.gzipBytes;
    // Room for about a third of the codings.
    const limitMib = (bareSize.gzipBytes + coded / 3) / 1024 / 1024;
    const fitted = await build(root, {
      cache: true,
      vars: { ...FIXTURE_VARS, ...PAGED_VARS, BUNDLE_LIMIT_MIB: String(limitMib) },
    });
    const { both, one, none, bodies } = fitted.compression;
    expect(both).toBeGreaterThan(0);
    expect(one + none).toBeGreaterThan(0);
    expect(both + one + none).toBe(bodies);
    const size = await measureBundle(renderSiteModule(fitted.site));
    expect(size.gzipBytes).toBeLessThanOrEqual(limitMib * 1024 * 1024);
    expect(fitted.notes.join('\n')).toMatch(
      new RegExp(
        `room under BUNDLE_LIMIT_MIB = [0-9.]+ \\(MiB, gzip\\) for the br and gzip bodies of ${both} of its ${bodies} documents and one of them \\(gzip for feeds, br for pages\\) of ${one} more; the Worker compresses the other codings at each request`,
      ),
    );
    const kept = (path: string) =>
      fitted.site.routes[path]?.every(
        (v) => v.codings?.br !== undefined && v.codings.gzip !== undefined,
      );
    const archive = Object.keys(fitted.site.routes).filter((p) => p.includes('/archive/'));
    expect(archive.length).toBeGreaterThan(0);
    expect(archive.some((p) => !kept(p))).toBe(true);

    // Without stored codings, the answer still names the coding asked for: workerd compresses
    // it (the node tier's Response sends the plain bytes; test/node/http/wire.test.ts).
    const { createApp } = (await import(APP_MODULE)) as AppModule;
    const app = createApp({ site: fitted.site, clock: () => FIXTURE_NOW });
    const path = archive.find((p) => !kept(p)) ?? '';
    const res = await app.fetch(
      new Request(`https://news.example${path}`, { headers: { 'Accept-Encoding': 'br' } }),
    );
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('etag')).toMatch(/^W\/".+\.br"$/);
    const plain = await app.fetch(new Request(`https://news.example${path}`));
    expect(await res.text()).toBe(await plain.text());
    // Stored in gzip only: a reader taking both gets the stored gzip, under its strong tag.
    const gzipOnly = Object.entries(fitted.site.routes).find(([, versions]) =>
      versions.every((v) => v.codings?.gzip !== undefined && v.codings.br === undefined),
    )?.[0];
    expect(gzipOnly).toBeDefined();
    const taken = await app.fetch(
      new Request(`https://news.example${gzipOnly}`, {
        headers: { 'Accept-Encoding': 'gzip, br' },
      }),
    );
    expect(taken.headers.get('content-encoding')).toBe('gzip');
    expect(taken.headers.get('etag')).toMatch(/^".+\.gz"$/);
    expect(gunzipSync(Buffer.from(await taken.arrayBuffer())).toString()).toBe(
      await (await app.fetch(new Request(`https://news.example${gzipOnly}`))).text(),
    );
    // Stored in neither: the runtime compresses, in gzip when the reader takes both.
    const bare = Object.entries(fitted.site.routes).find(([, versions]) =>
      versions.every((v) => v.codings === undefined),
    )?.[0];
    if (bare) {
      const res = await app.fetch(
        new Request(`https://news.example${bare}`, { headers: { 'Accept-Encoding': 'gzip, br' } }),
      );
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('etag')).toMatch(/^W\/".+\.gz"$/);
    }
    // A stored body goes out as its br bytes.
    const feed = await app.fetch(
      new Request('https://news.example/rss.xml', { headers: { 'Accept-Encoding': 'br' } }),
    );
    const feedPlain = await app.fetch(new Request('https://news.example/rss.xml'));
    expect(brotliDecompressSync(Buffer.from(await feed.arrayBuffer())).toString()).toBe(
      await feedPlain.text(),
    );
  });
});
