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

async function createProject(): Promise<string> {
  const root = await writeArticles(PAGED_ARTICLES);
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
      const codings = version.codings;
      if (!codings) throw new Error(`${path} has no codings`);
      const br = site.coded[codings.br] ?? new Uint8Array(0);
      const gzip = site.coded[codings.gzip] ?? new Uint8Array(0);
      expect(brotliDecompressSync(br), path).toEqual(body);
      expect(gunzipSync(gzip), path).toEqual(body);
      expect(br.byteLength, path).toBeLessThan(gzip.byteLength);
    }
    expect(compression.dropped).toBe(0);
    expect(compression.brBytes).toBeLessThan(compression.identityBytes * 0.3);
  });

  it('compresses again only the bodies an edit changed; the rest come from the build cache', async () => {
    const root = await createProject();
    const cold = await build(root, { cache: true });
    const bodies = cold.compression.bodies;
    expect(cold.compression.compressed).toBe(bodies);
    expect(cold.cache?.compress).toEqual({ hits: 0, misses: bodies });
    const warm = await build(root, { cache: true });
    expect(warm.compression.compressed).toBe(0);
    expect(warm.cache?.compress).toEqual({ hits: bodies, misses: 0 });
    // The newest article is in the site's feeds and pages, not in the others.
    const path = join(root, 'articles', PAGED_ARTICLES.at(-1)?.name ?? '');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('brings a paragraph', 'brings an edited paragraph'),
    );
    const edited = await build(root, { cache: true });
    expect(edited.compression.compressed).toBeGreaterThan(0);
    expect(edited.compression.compressed).toBeLessThan(bodies);
    expect(edited.cache?.compress.hits).toBe(bodies - edited.compression.compressed);
    for (const { path: route, version, body } of listBodies(edited.site)) {
      const br = edited.site.coded[version.codings?.br ?? -1] ?? new Uint8Array(0);
      expect(brotliDecompressSync(br), route).toEqual(body);
    }
  });

  it('fits the codings into BUNDLE_LIMIT_MIB, the site feeds last to go, and says so', async () => {
    const root = await createProject();
    // With the cache, the second build compresses nothing again.
    const all = await build(root, { cache: true });
    const bare = await measureBundle(renderSiteModule({ ...all.site, coded: [] }));
    const coded = all.compression.brBytes + all.compression.gzipBytes;
    // Room for about a third of the codings.
    const limitMib = (bare.gzipBytes + coded / 3) / 1024 / 1024;
    const fitted = await build(root, {
      cache: true,
      vars: { ...FIXTURE_VARS, ...PAGED_VARS, BUNDLE_LIMIT_MIB: String(limitMib) },
    });
    const { dropped, bodies } = fitted.compression;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(bodies);
    const size = await measureBundle(renderSiteModule(fitted.site));
    expect(size.gzipBytes).toBeLessThanOrEqual(limitMib * 1024 * 1024);
    expect(fitted.notes.join('\n')).toMatch(
      new RegExp(
        `room under BUNDLE_LIMIT_MIB = [0-9.]+ \\(MiB, gzip\\) for the br and gzip bodies of ${bodies - dropped} of its ${bodies} documents; the other ${dropped} .* are compressed by the Worker at each request`,
      ),
    );
    const kept = (path: string) => fitted.site.routes[path]?.every((v) => v.codings !== undefined);
    expect(kept('/rss.xml')).toBe(true);
    expect(kept('/atom.xml')).toBe(true);
    expect(kept('/feed.json')).toBe(true);
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
