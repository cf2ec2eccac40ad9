import { type Stats, statSync } from 'node:fs';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawVars } from '../../../src/content/config.ts';
import type { ReadResult } from '../../../src/content/read-articles.ts';
import { withLazyParts } from '../../../src/prerender/articles.ts';
import { BuildCache } from '../../../src/prerender/build-cache.ts';
import { type BuildOptions, renderKeyOf } from '../../../src/prerender/run.ts';
import {
  createArticle,
  FIXTURE_VARS,
  formatArticle,
  writeArticles,
} from '../../support/fixtures.ts';
import { createRenderArticle } from '../render/factories.ts';
import { FIXTURE_NOW, runTestBuild, servedFeeds } from '../support.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** Articles whose output exercises the renderers: two spellings of one tag (a note), two authors, a date-only date. */
const ARTICLES = [
  createArticle({
    name: 'first.md',
    frontMatter: { title: 'First story', date: '2024-03-01', tags: ['Café', 'economy'] },
  }),
  createArticle({
    name: '2024/second.md',
    frontMatter: {
      title: 'Second story',
      date: '2024-03-02T09:30:00+01:00',
      tags: ['cafe'],
      authors: ['Ann Lee', 'Bo Chen'],
    },
  }),
  createArticle({
    name: 'third.md',
    frontMatter: { title: 'Third story', date: '2024-03-03' },
    body: 'Plain words of a third story, long enough to be the summary of it all.\n\n## A heading\n\n- a list\n',
  }),
];

/** A temporary project with the fixtures, removed after the test. */
async function createProject(articles = ARTICLES): Promise<string> {
  const root = await writeArticles(articles);
  roots.push(root);
  return root;
}

/** Builds `root` into src/generated with the fixture vars and clock. */
function build(root: string, options: Partial<BuildOptions> = {}) {
  return runTestBuild({
    root,
    vars: FIXTURE_VARS,
    now: FIXTURE_NOW,
    outFile: 'src/generated/site.js',
    ...options,
  });
}

/**
 * Every file the build wrote (the module and, under `site.assets/`, every asset), by path, as
 * bytes; but the manifest, the build's own record of what made each asset, which a build
 * without the cache leaves empty.
 */
async function readOutput(root: string): Promise<Record<string, string>> {
  const dir = join(root, 'src', 'generated');
  const files: Record<string, string> = {};
  // Hidden names are an old assets folder a detached process is still removing: not output.
  const top = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const entries = [
    ...top.filter((entry) => entry.isFile()),
    ...(await readdir(join(dir, 'site.assets'), { recursive: true, withFileTypes: true })),
  ];
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => path !== join('site.assets', '.build-manifest.json'))
    .sort();
  for (const path of paths) files[path] = (await readFile(join(dir, path))).toString('base64');
  return files;
}

/** Where the cache of a project lives by default. */
function cacheDirOf(root: string): string {
  return join(root, 'node_modules', '.cache', 'feed-publisher');
}

/** The keys the cache holds for one kind. */
function listEntries(
  root: string,
  kind: 'parse' | 'html' | 'render',
  dir = cacheDirOf(root),
): Promise<string[]> {
  return new BuildCache(dir).keys(kind);
}

/** The pack files of one kind. */
async function listPacks(root: string, kind: 'parse' | 'html' | 'render'): Promise<string[]> {
  return (await readdir(join(cacheDirOf(root), kind)).catch(() => [] as string[])).filter((name) =>
    name.endsWith('.pack'),
  );
}

/** What a build gives that a reader or the author sees: the generated files, and the messages or notes. */
async function observe(root: string, options: Partial<BuildOptions> = {}) {
  const result = await build(root, options);
  return {
    output: result.ok ? await readOutput(root) : undefined,
    said: result.ok ? result.notes : result.messages,
    result,
  };
}

describe('the build cache', () => {
  it('gives a warm build the same bytes, messages and notes as a build without the cache', async () => {
    const root = await createProject();
    const uncached = await observe(root, { cache: false });
    expect(await listEntries(root, 'parse')).toEqual([]);
    await rm(join(root, 'src'), { recursive: true });
    const cold = await observe(root);
    expect(cold.result.cache).toEqual({
      parse: { hits: 0, misses: 3 },
      render: { hits: 0, misses: 3 },
      compress: { hits: 0, misses: 0 },
    });
    await rm(join(root, 'src'), { recursive: true });
    const warm = await observe(root);
    expect(warm.result.cache).toEqual({
      parse: { hits: 3, misses: 0 },
      render: { hits: 3, misses: 0 },
      compress: { hits: 0, misses: 0 },
    });
    expect(warm.said).toEqual(['tags "Café", "cafe" are one tag, "Café", at /tags/cafe/']);
    expect(cold.said).toEqual(uncached.said);
    expect(warm.said).toEqual(uncached.said);
    // The module, its types and its data; the three article pages and the asset tier's two files.
    const written = Object.keys(uncached.output ?? {});
    expect(written.filter((path) => /^site\.[0-9a-f]{16}\.bin$/.test(path))).toHaveLength(1);
    expect(
      written.filter((path) => path.startsWith('site.assets/_worker/')).length,
    ).toBeGreaterThan(0);
    expect(
      written.filter((path) => !path.endsWith('.bin') && !path.startsWith('site.assets/_worker/')),
    ).toEqual([
      'site.assets/.assetsignore',
      'site.assets/_headers',
      'site.assets/_redirects',
      'site.assets/articles/first.html',
      'site.assets/articles/second.html',
      'site.assets/articles/third.html',
      'site.d.ts',
      'site.js',
    ]);
    expect(cold.output).toEqual(uncached.output);
    // The warm build had no assets folder: it rendered the pages again, from the cached items'
    // article, since the cache keeps each article's feed items but not its page.
    expect(warm.output).toEqual(uncached.output);
    const cache = new BuildCache(cacheDirOf(root));
    await cache.ready('render');
    const stored = (await listEntries(root, 'render')).map((key) =>
      Buffer.from(cache.readNow<Uint8Array>('render', key) ?? []).toString(),
    );
    cache.release('render');
    expect(stored).toHaveLength(3);
    for (const entry of stored) {
      expect(entry).toContain('<item>');
      expect(entry).toContain('<entry>');
      expect(entry).toContain('"content_html"');
      expect(entry).not.toContain('<!doctype html>');
    }
  });

  it('reports an invalid article the same way from the cache, every problem at once', async () => {
    const root = await createProject([
      ...ARTICLES,
      {
        name: 'broken.md',
        body: '---\ntitle: Broken <b>\ndate: 2024-02-30\ntitel: x\n---\nBody.\n',
      },
      { name: 'Bad Name.md', body: '---\ntitle: Bad name\ndate: 2024-02-01\n---\nBody text.\n' },
    ]);
    const uncached = await observe(root, { cache: false });
    const cold = await observe(root);
    const warm = await observe(root);
    expect(warm.result.cache?.parse).toEqual({ hits: 5, misses: 0 });
    expect(uncached.said).toHaveLength(4);
    expect(cold.said).toEqual(uncached.said);
    expect(warm.said).toEqual(uncached.said);
    expect(warm.result.ok).toBe(false);
  });

  it('publishes an edited article, and reuses only the work it did not change', async () => {
    const root = await createProject();
    await build(root);
    const path = join(root, 'articles', 'third.md');
    await writeFile(path, (await readFile(path, 'utf8')).replace('Plain words', 'Edited words'));
    const result = await build(root);
    if (!result.ok) throw new Error(result.messages.join('\n'));
    expect(result.cache).toEqual({
      parse: { hits: 2, misses: 1 },
      render: { hits: 2, misses: 1 },
      compress: { hits: 0, misses: 0 },
    });
    const json = JSON.parse(servedFeeds(result.site).json.body) as {
      items: { title: string; summary: string; content_html: string }[];
    };
    expect(json.items.map((i) => i.summary)).toContain(
      'Edited words of a third story, long enough to be the summary of it all.',
    );
    // The Worker's bodies, files of the static assets, hold the edit and nothing of before.
    const bodies = Object.entries(await readOutput(root))
      .filter(([name]) => name.startsWith('site.assets/_worker/') && name.endsWith('.body'))
      .map(([, data]) => Buffer.from(data, 'base64').toString('utf8'))
      .join('\n');
    expect(bodies).toContain('Edited words');
    expect(bodies).not.toContain('Plain words');
    const page = Buffer.from(
      (await readOutput(root))['site.assets/articles/third.html'] ?? '',
      'base64',
    );
    expect(page.toString('utf8')).toContain('Edited words');
    expect(page.toString('utf8')).not.toContain('Plain words');
    expect(await readOutput(root)).toEqual((await observe(root, { cache: false })).output);
  });

  it('renders again the articles whose cross-article facts changed (a tag spelling chosen by another article)', async () => {
    const root = await createProject();
    await build(root);
    // A third "cafe" makes that spelling the most used: every article tagged so shows it.
    await writeFile(
      join(root, 'articles', 'fourth.md'),
      formatArticle(
        createArticle({
          name: 'fourth.md',
          frontMatter: { title: 'Fourth', date: '2024-03-04', tags: ['cafe'] },
        }),
      ),
    );
    const warm = await observe(root);
    expect(warm.result.cache?.parse).toEqual({ hits: 3, misses: 1 });
    const uncached = await observe(root, { cache: false });
    expect(warm.said).toEqual(uncached.said);
    expect(warm.output).toEqual(uncached.output);
    const data =
      Object.entries(warm.output ?? {}).find(([name]) => name.endsWith('.bin'))?.[1] ?? '';
    expect(Buffer.from(data, 'base64').toString('utf8')).not.toContain('>Café<');
  });

  it('parses again when a configuration value that parsing reads changes', async () => {
    const root = await createProject();
    const vars: RawVars = { ...FIXTURE_VARS, TIME_ZONE: 'UTC' };
    const before = await build(root, { vars });
    // Date-only values are read in TIME_ZONE: 2024-03-03 in Tokyo is 15:00 UTC the day before.
    const after = await build(root, { vars: { ...vars, TIME_ZONE: 'Asia/Tokyo' } });
    if (!before.ok || !after.ok) throw new Error('build failed');
    expect(after.cache?.parse).toEqual({ hits: 0, misses: 3 });
    const dates = (site: typeof before.site) =>
      (
        JSON.parse(servedFeeds(site).json.body) as { items: { date_published: string }[] }
      ).items.map((i) => i.date_published);
    expect(dates(before.site)).toContain('2024-03-03T00:00:00.000Z');
    expect(dates(after.site)).toContain('2024-03-02T15:00:00.000Z');
    expect(await readOutput(root)).toEqual(
      (await observe(root, { vars: { ...vars, TIME_ZONE: 'Asia/Tokyo' }, cache: false })).output,
    );
  });

  it('trusts nothing that another version of the code stored', async () => {
    const root = await createProject();
    await build(root, { codeVersion: 'one' });
    // Rewrite every parse entry as version "one" would read it, with a title the article does not have.
    const oldPacks = await listPacks(root, 'parse');
    const cache = new BuildCache(cacheDirOf(root));
    for (const key of await cache.keys('parse')) {
      const stored = await cache.read<ReadResult>('parse', key);
      if (stored?.article)
        cache.write('parse', key, {
          ...stored,
          article: { ...stored.article, title: 'Poisoned title' },
        });
    }
    expect(await cache.flush([])).toBeUndefined();
    for (const pack of oldPacks) await rm(join(cacheDirOf(root), 'parse', pack));
    // The items rendered from the true parse are under the same parse key: gone too, so that
    // the feed shows what the parse entries say.
    await rm(join(cacheDirOf(root), 'render'), { recursive: true });
    const titles = (result: Awaited<ReturnType<typeof build>>) =>
      result.ok
        ? (
            JSON.parse(servedFeeds(result.site).json.body) as { items: { title: string }[] }
          ).items.map((i) => i.title)
        : result.messages;
    // The same version reads the entries (which is how a cache is used)...
    expect(titles(await build(root, { codeVersion: 'one' }))).toEqual([
      'Poisoned title',
      'Poisoned title',
      'Poisoned title',
    ]);
    // ...and another version never does.
    const other = await build(root, { codeVersion: 'two' });
    expect(other.cache).toEqual({
      parse: { hits: 0, misses: 3 },
      render: { hits: 0, misses: 3 },
      compress: { hits: 0, misses: 0 },
    });
    expect(titles(other)).toEqual(['Third story', 'Second story', 'First story']);
    // The old generation is pruned.
    expect(await listEntries(root, 'parse')).toHaveLength(3);
  });

  it('hashes the code it runs when no version is given, the same for two builds', async () => {
    const root = await createProject();
    await build(root);
    expect((await build(root)).cache?.parse).toEqual({ hits: 3, misses: 0 });
    expect((await build(root, { codeVersion: 'something else' })).cache?.parse).toEqual({
      hits: 0,
      misses: 3,
    });
  });

  it('ignores a corrupt, truncated or foreign entry and writes it again', async () => {
    const root = await createProject();
    const uncached = await observe(root, { cache: false });
    await build(root);
    const dir = cacheDirOf(root);
    const [parsePack = ''] = await listPacks(root, 'parse');
    const [renderPack = ''] = await listPacks(root, 'render');
    const pack = await readFile(join(dir, 'parse', parsePack));
    // One letter changed in the first entry (which still deserializes: only its checksum can tell), and the last entry cut short.
    const at = pack.indexOf('Second story');
    expect(at).toBeGreaterThan(40);
    pack[at] = 'Z'.charCodeAt(0);
    await writeFile(join(dir, 'parse', parsePack), pack.subarray(0, pack.byteLength - 10));
    await writeFile(
      join(dir, 'render', renderPack),
      'not a pack of entries at all, but long enough to have a header',
    );
    await writeFile(join(dir, 'render', 'stray.pack'), pack.subarray(0, 20));
    const warm = await observe(root);
    expect(warm.result.cache).toEqual({
      parse: { hits: 1, misses: 2 },
      render: { hits: 0, misses: 3 },
      compress: { hits: 0, misses: 0 },
    });
    expect(warm.output).toEqual(uncached.output);
    expect(warm.said).toEqual(uncached.said);
    expect((await build(root)).cache).toEqual({
      parse: { hits: 3, misses: 0 },
      render: { hits: 3, misses: 0 },
      compress: { hits: 0, misses: 0 },
    });
  });

  it('removes the entries of articles that are gone, and lives where FEED_PUBLISHER_CACHE_DIR says', async () => {
    const root = await createProject();
    await build(root);
    expect(await listEntries(root, 'parse')).toHaveLength(3);
    // Two of three gone: the unused entries outweigh the used one, and the cache is rewritten.
    await rm(join(root, 'articles', 'third.md'));
    await rm(join(root, 'articles', '2024', 'second.md'));
    await build(root);
    expect(await listEntries(root, 'parse')).toHaveLength(1);
    expect(await listEntries(root, 'render')).toHaveLength(1);
    expect(await listPacks(root, 'parse')).toHaveLength(1);

    const elsewhere = await createProject([]);
    process.env.FEED_PUBLISHER_CACHE_DIR = join(elsewhere, 'cache');
    try {
      await build(root);
    } finally {
      delete process.env.FEED_PUBLISHER_CACHE_DIR;
    }
    expect(await listEntries(root, 'parse', join(elsewhere, 'cache'))).toHaveLength(1);
  });

  it('keeps a few packs at most however many builds add to it', async () => {
    const root = await createProject();
    const path = join(root, 'articles', 'third.md');
    for (let i = 0; i < 12; i++) {
      await writeFile(path, (await readFile(path, 'utf8')).replace(/words( \d+)?/, `words ${i}`));
      expect((await build(root)).cache?.parse).toEqual({
        hits: i === 0 ? 0 : 2,
        misses: i === 0 ? 3 : 1,
      });
    }
    expect((await listPacks(root, 'parse')).length).toBeLessThanOrEqual(9);
    expect((await listEntries(root, 'parse')).length).toBeLessThanOrEqual(12);
  });

  it('still builds when the cache cannot be written, and says so', async () => {
    const root = await createProject();
    // A file where the cache's folder would be.
    await writeFile(join(root, 'blocked'), 'a file');
    const result = await build(root, { cacheDir: join(root, 'blocked', 'cache') });
    if (!result.ok) throw new Error(result.messages.join('\n'));
    expect(result.notes.at(-1)).toMatch(
      /^build cache: could not write .*blocked\/cache \(.*\); the next build parses and renders everything again$/,
    );
    expect(await readOutput(root)).toEqual((await observe(root, { cache: false })).output);
  });
});

describe('the stored parts of the cache', () => {
  it('renders an article from its file again when its stored summary and HTML are unreadable', async () => {
    const root = await createProject();
    const uncached = await observe(root, { cache: false });
    await build(root);
    const dir = join(cacheDirOf(root), 'html');
    const damaged = await listPacks(root, 'html');
    // Every body damaged (a byte of each entry's payload), and the rendered items gone: the
    // build needs the HTML of every article.
    for (const pack of damaged) {
      const bytes = await readFile(join(dir, pack));
      for (let at = 0; at + 40 < bytes.byteLength; at += 40 + bytes.readUInt32BE(at + 32))
        bytes[at + 42] = (bytes[at + 42] ?? 0) ^ 0xff;
      await writeFile(join(dir, pack), bytes);
    }
    await rm(join(cacheDirOf(root), 'render'), { recursive: true });
    const warm = await observe(root);
    expect(warm.result.cache?.parse).toEqual({ hits: 3, misses: 0 });
    expect(warm.output).toEqual(uncached.output);
    // The bodies parsed again were stored again.
    await rm(join(cacheDirOf(root), 'render'), { recursive: true });
    for (const pack of damaged) await rm(join(dir, pack));
    expect(await listEntries(root, 'html')).toHaveLength(3);
    expect((await observe(root)).output).toEqual(uncached.output);
  });

  it('never gives another entry for a key when a pack index is wrong', async () => {
    const root = await createProject();
    const uncached = await observe(root, { cache: false });
    await build(root);
    const dir = join(cacheDirOf(root), 'render');
    const [pack = ''] = await listPacks(root, 'render');
    // The index's first two keys swapped (its checksum made again): each points at the other's entry.
    const index = await readFile(join(dir, `${pack}.index`));
    const first = Buffer.from(index.subarray(20, 52));
    index.copy(index, 20, 56, 88);
    first.copy(index, 56);
    index.writeUInt32BE(crc32(index.subarray(20)), 16);
    await writeFile(join(dir, `${pack}.index`), index);
    const warm = await observe(root);
    expect(warm.result.cache?.render).toEqual({ hits: 1, misses: 2 });
    expect(warm.output).toEqual(uncached.output);
  });

  it('merges the packs of rebuilds into one, and leaves the largest as it is', async () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      createArticle({
        name: `story-${i}.md`,
        frontMatter: { title: `Story ${i}`, date: `2024-03-${String(i + 1).padStart(2, '0')}` },
      }),
    );
    const root = await createProject(many);
    await build(root);
    const [largest = ''] = await listPacks(root, 'render');
    const path = join(root, 'articles', 'story-0.md');
    for (let i = 0; i < 10; i++) {
      await writeFile(
        path,
        (await readFile(path, 'utf8')).replace(/body text( \d+)?/, `body text ${i}`),
      );
      await build(root);
    }
    const packs = await listPacks(root, 'render');
    expect(packs).toContain(largest);
    expect(packs.length).toBeLessThanOrEqual(9);
    expect(packs.length).toBeLessThan(10);
    expect((await build(root)).cache?.render).toEqual({ hits: 12, misses: 0 });
  });
});

describe('the record of files read', () => {
  /** A clock a minute ahead: files written now are long settled by it. */
  const later = (): number => Date.now() + 60_000;

  it('trusts a stat only when the file last changed well before the build that recorded it', async () => {
    const dir = join(await createProject([]), 'cache');
    const stamp = { dev: 1, ino: 2, size: 3, mtimeMs: 1_000, ctimeMs: 9_996_000 } as Stats;
    const digest = 'a'.repeat(64);
    const first = new BuildCache(dir, { clock: () => 10_000_000 });
    first.record('articles/old.md', stamp, digest);
    // Changed within 3 s of that build's start: a change in the same tick of the file system's
    // clock after the read would leave the same stat.
    first.record('articles/recent.md', { ...stamp, ctimeMs: 9_998_000 } as Stats, digest);
    expect(await first.flush([])).toBeUndefined();
    const next = new BuildCache(dir);
    expect(next.recall('articles/old.md', stamp)).toBe(digest);
    expect(next.recall('articles/recent.md', { ...stamp, ctimeMs: 9_998_000 } as Stats)).toBe(
      undefined,
    );
    expect(next.recall('articles/other.md', stamp)).toBeUndefined();
    for (const change of [{ dev: 9 }, { ino: 9 }, { size: 9 }, { mtimeMs: 9 }, { ctimeMs: 9 }])
      expect(next.recall('articles/old.md', { ...stamp, ...change } as Stats)).toBeUndefined();
    // A record that fails its checksum is not read at all.
    const file = join(dir, 'files');
    const bytes = await readFile(file);
    bytes[bytes.byteLength - 5] = '9'.charCodeAt(0);
    await writeFile(file, bytes);
    expect(new BuildCache(dir).recall('articles/old.md', stamp)).toBeUndefined();
  });

  it('takes an edit that keeps the size and the mtime as a change', async () => {
    const root = await createProject();
    const path = join(root, 'articles', 'third.md');
    // A whole second, which the edit's `utimes` puts back exactly.
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const cache = cacheDirOf(root);
    const first = new BuildCache(cache, { clock: later });
    first.record('articles/third.md', statSync(path), 'b'.repeat(64));
    await first.flush([]);
    expect(new BuildCache(cache).recall('articles/third.md', statSync(path))).toBe('b'.repeat(64));
    const before = await stat(path);
    await writeFile(path, (await readFile(path, 'utf8')).replace('Plain words', 'Plain wordz'));
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const after = statSync(path);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(new BuildCache(cache).recall('articles/third.md', after)).toBeUndefined();
  });

  it('publishes every edit when unchanged files are not read again', async () => {
    const root = await createProject();
    const path = join(root, 'articles', 'third.md');
    await utimes(path, 1_700_000_000, 1_700_000_000);
    await build(root, { clock: later });
    const warm = await build(root, { clock: later });
    expect(warm.cache?.parse).toEqual({ hits: 3, misses: 0 });
    // Same size, same mtime: only the ctime says the file changed.
    const before = await stat(path);
    await writeFile(path, (await readFile(path, 'utf8')).replace('Plain words', 'Plain wordz'));
    await utimes(path, 1_700_000_000, 1_700_000_000);
    expect((await stat(path)).size).toBe(before.size);
    const edited = await observe(root, { clock: later });
    expect(edited.result.cache?.parse).toEqual({ hits: 2, misses: 1 });
    if (!edited.result.ok) throw new Error(edited.result.messages.join('\n'));
    expect(servedFeeds(edited.result.site).json.body).toContain('Plain wordz');
    expect(edited.output).toEqual((await observe(root, { cache: false })).output);
  });
});

describe('render keys', () => {
  const context = ['code', '{"config":1}'];
  const article = createRenderArticle({ contentHtml: '<p>Body.</p>', tags: ['Economy'] });
  // What the file parsed to: the article's own fields, but the tags as the file spelled them.
  const source = { parsed: { ...article, tags: ['economy'] }, parseKey: 'parse-key-of-the-file' };

  it('stand the parse key in for the body, and change with it and with every other field', () => {
    const key = renderKeyOf(context, article, source);
    expect(renderKeyOf(context, article, { ...source })).toBe(key);
    expect(
      renderKeyOf(context, article, { ...source, parseKey: 'another file or bytes' }),
    ).not.toBe(key);
    // Cross-article facts (a tag's site-wide spelling, an author's page) are not in the parse.
    expect(renderKeyOf(context, { ...article, tags: ['economy'] }, source)).not.toBe(key);
    expect(renderKeyOf(['other code', context[1] ?? ''], article, source)).not.toBe(key);
  });

  it('hold every field that is not from the parse, and tell a missing field from one the parse gave', () => {
    const key = renderKeyOf(context, article, source);
    // A title, a date or a summary other than the file's: the field's value is in the key.
    for (const change of [{ title: 'Another title' }, { publishedAt: 1 }, { summary: 'Other.' }])
      expect(renderKeyOf(context, { ...article, ...change }, source)).not.toBe(key);
    // The parse gave an image that the article does not carry.
    const imaged = { ...source, parsed: { ...source.parsed, image: 'https://example.com/a.png' } };
    const { image: _, ...plain } = { ...article, image: undefined };
    expect(renderKeyOf(context, plain, imaged)).not.toBe(
      renderKeyOf(context, { ...plain, image: 'https://example.com/a.png' }, imaged),
    );
  });

  it('are the same for an article whose summary and body are stored and for one that holds them', () => {
    const parts = { summary: () => article.summary, html: () => article.contentHtml };
    const stored = withLazyParts({ ...article }, parts);
    const parsed = withLazyParts({ ...source.parsed }, parts);
    const key = renderKeyOf(context, stored, { parsed, parseKey: source.parseKey });
    expect(key).toBe(renderKeyOf(context, article, source));
    // The stored parts of another parse are not this article's own: their text is in the key.
    const other = withLazyParts({ ...source.parsed }, { ...parts });
    expect(renderKeyOf(context, stored, { parsed: other, parseKey: source.parseKey })).not.toBe(
      key,
    );
  });

  it('hash the whole article when its body is not what its file parsed to, or nothing parsed it', () => {
    const edited = { ...article, contentHtml: '<p>Another body.</p>' };
    const whole = renderKeyOf(context, edited, undefined);
    expect(renderKeyOf(context, edited, source)).not.toBe(renderKeyOf(context, article, source));
    expect(whole).not.toBe(renderKeyOf(context, article, undefined));
    expect(renderKeyOf(context, article, source)).not.toBe(
      renderKeyOf(context, article, undefined),
    );
  });
});
