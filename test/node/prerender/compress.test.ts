import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/content/article.ts';
import { parseSiteConfig } from '../../../src/content/config.ts';
import { MemoryAssets } from '../../../src/prerender/asset-output.ts';
import { BodyCompressor, compressBodies } from '../../../src/prerender/compress.ts';
import type { BuildOptions } from '../../../src/prerender/run.ts';
import { planSite, renderSite } from '../../../src/prerender/site.ts';
import { renderSiteModule } from '../../../src/prerender/site-module.ts';
import { bodyFilePath } from '../../../src/site/bodies.ts';
import type { BuiltSite, QueryItem, ServedSite } from '../../../src/site/types.ts';
import {
  FIXTURE_VARS,
  formatArticle,
  PAGED_ARTICLES,
  PAGED_VARS,
  writeArticles,
} from '../../support/fixtures.ts';
import { APP_MODULE, type AppModule } from '../../support/serve-fixture.ts';
import { assetsOf, FIXTURE_NOW, runTestBuild } from '../support.ts';

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

  it('puts every body in every coding under /_worker/ in the static assets, and in the bundle only the site feeds and front page', async () => {
    const { site, compression } = await build(await createProject());
    const assets = assetsOf(site);
    const generated = renderSiteModule(site);
    const served = new Function('data', `return ${moduleLiteral(generated.moduleText)}`)(
      generated.data,
    ) as ServedSite;
    const identities = new Map(listBodies(site).map(({ version, body }) => [version.etag, body]));
    let versions = 0;
    for (const [path, list] of Object.entries(served.routes))
      for (const version of list) {
        versions++;
        const { name, identity, br, gzip } = version.body;
        const body = identities.get(version.etag);
        const read = (coding: 'identity' | 'br' | 'gzip') =>
          Buffer.from(assets.read(bodyFilePath(name, coding)) ?? new Uint8Array(0));
        expect(read('identity'), path).toEqual(body);
        expect(identity, path).toBe(body?.byteLength);
        expect(brotliDecompressSync(read('br')), path).toEqual(body);
        expect(gunzipSync(read('gzip')), path).toEqual(body);
        expect([br, gzip], path).toEqual([read('br').byteLength, read('gzip').byteLength]);
      }
    expect(versions).toBe(listBodies(site).length);
    // The module carries names and lengths, not bodies: no feed text is in it.
    expect(generated.moduleText).not.toContain('<rss');
    expect(generated.moduleText).not.toContain('<item>');
    // Its Data module carries three small texts and the resident bodies, each the bytes of its
    // file: the site's own feeds and front page, in every coding, and nothing else.
    const chunk = (index: number) =>
      Buffer.from(
        generated.data.subarray(served.chunks.offsets[index], served.chunks.offsets[index + 1]),
      );
    let residentBytes = 0;
    const resident: string[] = [];
    for (const [path, list] of Object.entries(served.routes))
      for (const { body } of list)
        for (const coding of ['identity', 'br', 'gzip'] as const) {
          const index = body.resident?.[coding];
          if (index === undefined) continue;
          resident.push(`${path} ${coding}`);
          expect(chunk(index), `${path} ${coding}`).toEqual(
            Buffer.from(assets.read(bodyFilePath(body.name, coding)) ?? []),
          );
          residentBytes += body[coding] ?? 0;
        }
    expect(resident.sort()).toEqual(
      ['/', '/atom.xml', '/feed.json', '/rss.xml']
        .flatMap((path) => ['br', 'gzip', 'identity'].map((coding) => `${path} ${coding}`))
        .sort(),
    );
    expect(generated.data.byteLength - residentBytes).toBeLessThan(16 * 1024);
    expect(generated.files.length).toBe(1 + 3 * compression.bodies);
    // Every query item is a byte range of a feed.json file, holding that item.
    const index = served.query.items;
    const items = JSON.parse(Buffer.from(assets.read(index.path) ?? []).toString()) as QueryItem[];
    expect(items).toHaveLength(site.query.items.length);
    for (const item of items) {
      if (typeof item.json === 'number') throw new Error('an item is left in a chunk');
      const [file, start, end] = item.json;
      const { path, bytes } = served.query.files[file] ?? { path: '', bytes: 0 };
      const fileBytes = assets.read(path) ?? new Uint8Array(0);
      expect(fileBytes.byteLength, path).toBe(bytes);
      const json = JSON.parse(Buffer.from(fileBytes.subarray(start, end)).toString()) as {
        id?: string;
      };
      expect(json.id).toMatch(/^tag:/);
    }
  });

  it('carries resident bodies up to 1 MiB, the versions in force first, skipping one that does not fit', async () => {
    // Articles of about 52 KB: each site feed (five full items) is over 300 KB, so the first
    // three fit and the fourth, a scheduled version of /rss.xml, does not; the front page does.
    const long = 'A sentence of the long article, which is long. '.repeat(1100);
    const root = await writeArticles([
      ...ARTICLES.slice(0, 6).map((a) => ({ ...a, body: `${a.body}\n\n${long}` })),
      {
        name: 'later.md',
        frontMatter: { title: 'Later', date: '2026-06-01T00:00:00Z', tags: ['news'] },
        body: `Scheduled.\n\n${long}`,
      },
    ]);
    roots.push(root);
    const { site } = await build(root, { compress: false });
    const served = new Function(
      'data',
      `return ${moduleLiteral(renderSiteModule(site).moduleText)}`,
    )(renderSiteModule(site).data) as ServedSite;
    const residentOf = (path: string) => served.routes[path]?.map((v) => v.body.resident?.identity);
    const sizes = ['/rss.xml', '/atom.xml', '/feed.json'].map(
      (path) => served.routes[path]?.[0]?.body.identity ?? 0,
    );
    expect(Math.min(...sizes)).toBeGreaterThan(300_000);
    expect(served.routes['/rss.xml']).toHaveLength(2);
    // In force at the build: every one of the four is resident; the scheduled /rss.xml is not.
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/'])
      expect(residentOf(path)?.[0], path).toBeTypeOf('number');
    expect(residentOf('/rss.xml')?.[1]).toBeUndefined();
    // Nothing stored in a coding the build did not make.
    expect(served.routes['/rss.xml']?.[0]?.body.resident).toEqual({ identity: expect.any(Number) });
  });

  it('without stored codings, names the coding asked for under a weak tag: the runtime compresses', async () => {
    const { site } = await build(await createProject(), { compress: false });
    const { createApp } = (await import(APP_MODULE)) as AppModule;
    const app = createApp({ site, clock: () => FIXTURE_NOW });
    for (const [accept, coding] of [
      ['br', 'br'],
      ['gzip, br', 'gzip'],
    ] as const) {
      const res = await app.fetch(
        new Request('https://news.example/rss.xml', { headers: { 'Accept-Encoding': accept } }),
      );
      // The node tier's Response sends the plain bytes; workerd compresses them (test/node/http/wire.test.ts).
      expect(res.headers.get('content-encoding')).toBe(coding);
      expect(res.headers.get('etag')).toMatch(
        new RegExp(`^W/".+\\.${coding === 'gzip' ? 'gz' : 'br'}"$`),
      );
    }
    // A stored body goes out as its br bytes.
    const stored = await build(await createProject());
    const storedApp = createApp({ site: stored.site, clock: () => FIXTURE_NOW });
    const feed = await storedApp.fetch(
      new Request('https://news.example/rss.xml', { headers: { 'Accept-Encoding': 'br' } }),
    );
    expect(feed.headers.get('etag')).toMatch(/^".+\.br"$/);
    const feedPlain = await storedApp.fetch(new Request('https://news.example/rss.xml'));
    expect(brotliDecompressSync(Buffer.from(await feed.arrayBuffer())).toString()).toBe(
      await feedPlain.text(),
    );
  });
});

/** Day 17 of the paged fixture is scheduled: the site has a second edition. */
const BEFORE_DAY_17 = Date.parse('2024-01-16T12:00:00Z');

/** Day 11 is scheduled: the site has a second edition, whose feeds and pages are new versions. */
const BEFORE_DAY_11 = Date.parse('2024-01-10T12:00:00Z');

describe('compressing while rendering', () => {
  it('hands the compressor every Worker body once, as soon as it is final: before the archive after it is rendered', async () => {
    const config = parseSiteConfig({ ...FIXTURE_VARS, ...PAGED_VARS });
    const parsed = PAGED_ARTICLES.map(
      (a) => parseArticle(a.name, Buffer.from(formatArticle(a)), config).article,
    ).filter((a) => a !== undefined);
    const { plan } = planSite(parsed, config);
    if (!plan) throw new Error('the fixture does not plan');
    const events: string[] = [];
    const taken: string[] = [];
    class Assets extends MemoryAssets {
      override put(path: string, parts: readonly Uint8Array[]): void {
        events.push(`asset ${path}`);
        super.put(path, parts);
      }
    }
    const site = await renderSite(plan, config, BEFORE_DAY_17, new Assets(), undefined, undefined, {
      take: (body) => {
        events.push('body');
        taken.push(Buffer.from(body).toString());
      },
    });
    const bodies = new Set(listBodies(site).map(({ body }) => body.toString()));
    expect(Object.values(site.routes).some((versions) => versions.length > 1)).toBe(true);
    expect(taken.sort()).toEqual([...bodies].sort());
    // The site's feeds come first, its archive page after them.
    expect(events.indexOf('body')).toBeLessThan(events.indexOf('asset /archive/1/feed.json'));
  });

  it('stores the same bytes as compressing after the render: the module and every Worker file, build after build', async () => {
    const root = await createProject();
    const overlapped = await build(root, { now: BEFORE_DAY_11 });
    const again = await build(root, { now: BEFORE_DAY_11 });
    const after = await build(root, { now: BEFORE_DAY_11, compress: false });
    expect(Object.values(after.site.routes).some((versions) => versions.length > 1)).toBe(true);
    expect(after.site.coded).toEqual([]);
    const compression = await compressBodies(after.site, new BodyCompressor());
    expect(compression).toEqual(overlapped.compression);
    expect(compression.compressed).toBe(2 * compression.bodies);
    const generated = renderSiteModule(overlapped.site);
    expect(generated.files.length).toBe(1 + 3 * compression.bodies);
    expect(renderSiteModule(after.site)).toEqual(generated);
    expect(renderSiteModule(again.site)).toEqual(generated);
  });
});

/** The object literal of a generated module, as an expression of its Data module `data`. */
function moduleLiteral(moduleText: string): string {
  const literal = /export const site = (\{[\s\S]*\});\n$/.exec(moduleText)?.[1];
  if (!literal) throw new Error('not a generated site module');
  return literal;
}
