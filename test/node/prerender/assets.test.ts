// Settled documents in Workers Static Assets: which documents the build puts there, the files it
// names them by, the `_headers` and `_redirects` that give them the Worker's fields (applied as
// the platform applies them, test/support/asset-tier.ts), the query index's byte ranges into
// them, the plan limits, and the folder's atomic replacement.
import { existsSync } from 'node:fs';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSET_LIMITS, assetFileOf, assetPathOf } from '../../../src/prerender/asset-layout.ts';
import {
  CountingAssets,
  checkAssetLimits,
  readAssetsFrom,
  recoverAssets,
} from '../../../src/prerender/asset-output.ts';
import { renderSiteModule } from '../../../src/prerender/site-module.ts';
import { queryIndexPath, WORKER_FILES_PREFIX } from '../../../src/site/bodies.ts';
import type { BuiltSite, QueryItem } from '../../../src/site/types.ts';
import {
  applyHeaderRules,
  assetContentType,
  createAssetTier,
  DEFAULT_ASSET_CACHE_CONTROL,
  parseHeadersFile,
  parseRedirectsFile,
} from '../../support/asset-tier.ts';
import { type ArticleFixture, FIXTURE_VARS, formatArticle } from '../../support/fixtures.ts';
import { buildAndServe } from '../../support/serve-fixture.ts';
import {
  assetsOf,
  createDatedArticle,
  FIXTURE_NOW,
  runTestBuild,
  settledPaths,
  useTemporaryProjects,
} from '../support.ts';

const SITE = 'https://news.example';
const SITE_ID = 'tag:news.example,2026:';
/** Two items a page: seven articles make two archive pages in each scope, page 1 settled. */
const VARS = { FEED_ITEM_LIMIT: '2' };
/** A tag whose slug is not ASCII: its URLs are percent-encoded, its files named by the decoded path. */
const TAG = 'Политика';
const TAG_SLUG = 'политика';
const TAG_BASE = `/tags/${encodeURIComponent(TAG_SLUG)}`;
const AUTHOR_BASE = '/authors/ann-lee';
/** The site, the tag and the author list the same seven articles. */
const SCOPES = ['', TAG_BASE, AUTHOR_BASE];
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];

/** Seven articles out before the build (story-1 the oldest). */
const PUBLISHED: ArticleFixture[] = Array.from({ length: 7 }, (_, i) =>
  createDatedArticle(`story-${i + 1}`, `2024-01-0${i + 1}T08:00:00Z`, {
    tags: [TAG],
    authors: ['Ann Lee'],
  }),
);
/** Two articles dated after the build (FIXTURE_NOW): they make archive page 3 appear. */
const SCHEDULED_AT = ['2026-02-01T09:00:00Z', '2026-03-01T09:00:00Z'];
const SCHEDULED: ArticleFixture[] = SCHEDULED_AT.map((date, i) =>
  createDatedArticle(`later-${i + 1}`, date, { tags: [TAG], authors: ['Ann Lee'] }),
);
const ARTICLES = [...PUBLISHED, ...SCHEDULED];

/** The assets this site must have: each published article's page, and each scope's archive page 1 (page 2 is the newest). */
const EXPECTED_ASSETS = [
  ...PUBLISHED.map((a) => `/articles/${a.name.replace(/\.md$/, '')}`),
  ...SCOPES.flatMap((base) => ['', ...FEED_FILES].map((file) => `${base}/archive/1/${file}`)),
].sort();

const PAGE_CACHE = 'public, max-age=3600, s-maxage=86400, stale-while-revalidate=60';
const ARCHIVE_CACHE = 'public, max-age=604800, s-maxage=604800, stale-while-revalidate=60';
const CORS = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', 'ETag, Last-Modified, X-Edge-Cache'],
];
const FEED_TYPES: Record<string, string> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};

const projects = useTemporaryProjects();

/** Builds the articles in memory at FIXTURE_NOW; throws on any problem. */
async function buildSite(articles = ARTICLES): Promise<BuiltSite> {
  const result = await projects.build(await projects.project(articles), VARS);
  if (!result.ok) throw new Error(result.messages.join('\n'));
  return result.site;
}

/** Every file under `dir` with its bytes, by relative path. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = (await readFile(path)).toString('base64');
  }
  return files;
}

describe('which documents are static assets', () => {
  it('settles the article pages and the archive pages with a newer page, and nothing else', async () => {
    const site = await buildSite();
    const assets = assetsOf(site);
    expect(settledPaths(assets)).toEqual(EXPECTED_ASSETS);
    expect(site.assets.files).toBe(EXPECTED_ASSETS.length);
    // An asset always wins over the Worker: no path may be both.
    expect(Object.keys(site.routes).filter((path) => assets.read(path) !== undefined)).toEqual([]);
    // The newest archive page and the subscription documents may still change: the Worker's.
    for (const base of SCOPES)
      for (const file of ['', ...FEED_FILES]) {
        expect(site.routes[`${base}/archive/2/${file}`], `${base}/archive/2/${file}`).toBeDefined();
        expect(site.routes[`${base}/${file}`], `${base}/${file}`).toBeDefined();
      }
  });

  it('never settles a scheduled article: its page is a Worker route from its instant on', async () => {
    const site = await buildSite();
    SCHEDULED.forEach((article, i) => {
      const path = `/articles/${article.name.replace(/\.md$/, '')}`;
      expect(assetsOf(site).read(path), path).toBeUndefined();
      expect(
        site.routes[path]?.map((v) => v.from),
        path,
      ).toEqual([Date.parse(SCHEDULED_AT[i] ?? '')]);
    });
    // What they add (archive page 3 in every scope) is the Worker's too, from the first instant.
    for (const base of SCOPES)
      expect(site.routes[`${base}/archive/3/`]?.[0]?.from).toBe(Date.parse(SCHEDULED_AT[0] ?? ''));
    // And they change no settled byte: the assets are those of the site without them.
    const without = assetsOf(await buildSite(PUBLISHED));
    expect(settledPaths(without)).toEqual(EXPECTED_ASSETS);
    for (const path of EXPECTED_ASSETS)
      expect(
        Buffer.from(assetsOf(site).read(path) ?? []).equals(without.read(path) ?? new Uint8Array()),
        path,
      ).toBe(true);
  });
});

describe('the files of the assets folder', () => {
  it('names each file by its decoded URL path, and maps it back', async () => {
    expect(assetFileOf('/articles/story-1')).toBe('articles/story-1.html');
    expect(assetFileOf('/archive/1/')).toBe('archive/1/index.html');
    expect(assetFileOf('/archive/1/feed.json')).toBe('archive/1/feed.json');
    expect(assetFileOf(`${TAG_BASE}/archive/1/`)).toBe(`tags/${TAG_SLUG}/archive/1/index.html`);
    expect(assetFileOf(`${TAG_BASE}/archive/1/atom.xml`)).toBe(
      `tags/${TAG_SLUG}/archive/1/atom.xml`,
    );
    for (const path of EXPECTED_ASSETS) expect(assetPathOf(assetFileOf(path)), path).toBe(path);

    const root = await projects.project(ARTICLES);
    const result = await projects.build(root, VARS, 'src/generated/site.js');
    if (!result.ok) throw new Error(result.messages.join('\n'));
    const dir = join(root, 'src', 'generated', 'site.assets');
    expect(existsSync(join(dir, 'tags', TAG_SLUG, 'archive', '1', 'index.html'))).toBe(true);
    const tree = Object.keys(await readTree(dir));
    // The Worker's own files (bodies, query index) are there too, under _worker/.
    expect(tree.filter((f) => f.startsWith('_worker/'))).toHaveLength(result.workerFiles.files);
    expect(tree.filter((f) => !f.startsWith('_worker/')).sort()).toEqual(
      [
        '.assetsignore',
        '.build-manifest.json',
        '_headers',
        '_redirects',
        ...EXPECTED_ASSETS.map(assetFileOf),
      ].sort(),
    );
    // Read back from disk, the folder holds exactly what an in-memory build of the same site holds.
    const fromDisk = readAssetsFrom(dir);
    const inMemory = assetsOf(await buildSite());
    expect(settledPaths(fromDisk)).toEqual(EXPECTED_ASSETS);
    for (const path of EXPECTED_ASSETS)
      expect(
        Buffer.from(fromDisk.read(path) ?? []).equals(inMemory.read(path) ?? new Uint8Array()),
        path,
      ).toBe(true);
  });
});

describe('_headers and _redirects', () => {
  /** Builds into src/generated and reads the two files the asset tier reads itself. */
  async function buildToDisk() {
    const root = await projects.project(ARTICLES);
    const result = await projects.build(root, VARS, 'src/generated/site.js');
    if (!result.ok) throw new Error(result.messages.join('\n'));
    const dir = join(root, 'src', 'generated', 'site.assets');
    return {
      site: result.site,
      headers: await readFile(join(dir, '_headers'), 'utf8'),
      redirects: await readFile(join(dir, '_redirects'), 'utf8'),
    };
  }

  it("gives every asset exactly the Worker's fields for its kind, each once", async () => {
    const { site, headers } = await buildToDisk();
    const rules = parseHeadersFile(headers);
    const csp = site.contentSecurityPolicy;
    expect(csp).toMatch(/^default-src 'none'/);
    const kinds = new Set<string>();
    for (const path of EXPECTED_ASSETS) {
      const file = assetFileOf(path);
      const etag = '"0123456789abcdef0123456789abcdef"';
      const own: [string, string][] = [
        ['Content-Type', assetContentType(file) ?? ''],
        ['ETag', etag],
        ['Cache-Control', DEFAULT_ASSET_CACHE_CONTROL],
      ];
      const lines = applyHeaderRules(rules, path, own);
      const names = lines.map(([name]) => name);
      expect(
        names.filter((name, i) => names.indexOf(name) !== i),
        `${path}: set twice`,
      ).toEqual([]);
      const feed = FEED_FILES.find((f) => path.endsWith(`/${f}`));
      const kind = path.startsWith('/articles/') ? 'article' : feed ? `feed ${feed}` : 'list page';
      kinds.add(`${kind} ${SCOPES.find((base) => base !== '' && path.startsWith(base)) ?? ''}`);
      const expected = [
        ['etag', etag],
        ['x-content-type-options', 'nosniff'],
        ['cache-control', kind === 'article' ? PAGE_CACHE : ARCHIVE_CACHE],
        ...(feed
          ? [['content-type', FEED_TYPES[feed] ?? ''], ...CORS]
          : [
              ['content-type', 'text/html; charset=utf-8'],
              ['content-security-policy', csp],
            ]),
      ];
      expect(lines.sort(), path).toEqual(expected.sort());
    }
    // Every kind of asset, for the site, a tag and an author.
    expect(kinds.size).toBe(1 + 4 * SCOPES.length);
  });

  it('answers the other spellings of an archive or article page with a 301, and takes no served path from the Worker', async () => {
    const { site, headers, redirects } = await buildToDisk();
    expect(parseRedirectsFile(redirects)).toEqual([
      { from: '/archive/:page', to: `${SITE}/archive/:page/`, status: 301 },
      { from: '/tags/:tag/archive/:page', to: `${SITE}/tags/:tag/archive/:page/`, status: 301 },
      {
        from: '/authors/:author/archive/:page',
        to: `${SITE}/authors/:author/archive/:page/`,
        status: 301,
      },
      { from: '/articles/:slug/', to: `${SITE}/articles/:slug`, status: 301 },
    ]);
    const tier = createAssetTier(assetsOf(site), headers, redirects);
    for (const [from, to] of [
      ['/archive/1', `${SITE}/archive/1/`],
      ['/archive/2?x=1', `${SITE}/archive/2/?x=1`],
      [`${TAG_BASE}/archive/1`, `${SITE}${TAG_BASE}/archive/1/`],
      [`${AUTHOR_BASE}/archive/1`, `${SITE}${AUTHOR_BASE}/archive/1/`],
      ['/articles/story-1/', `${SITE}/articles/story-1`],
    ] as const) {
      const res = await tier(new Request(`${SITE}${from}`));
      expect(res?.status, from).toBe(301);
      expect(res?.headers.get('Location'), from).toBe(to);
    }
    // A redirect is answered before any file or the Worker: none may match a served path.
    for (const path of [...Object.keys(site.routes), ...EXPECTED_ASSETS]) {
      const res = await tier(new Request(`${SITE}${path}`));
      expect(res?.status ?? 'Worker', path).toBe(site.routes[path] ? 'Worker' : 200);
    }
  });
});

describe('the query index', () => {
  it("points at each published article's JSON item, in a chunk or in a settled feed.json, exactly as the Worker answers it", async () => {
    const site = await buildSite();
    const assets = assetsOf(site);
    const served = await buildAndServe(
      ARTICLES.map((a) => ({ name: a.name, content: formatArticle(a) })),
      { now: FIXTURE_NOW, vars: VARS },
    );
    if (!served.ok) throw new Error(served.messages.join('\n'));
    const res = await served.served.fetch('/feed.json?limit=100');
    expect(res.status).toBe(200);
    const answer = await res.text();
    const workerItems = (JSON.parse(answer) as { items: { id: string; url: string }[] }).items;
    // Each item's text as the Worker's answer has it: the feed is pretty-printed, so an item is
    // the lines from an indented `{` to its `}` at the same depth.
    const itemTexts = [
      ...answer.slice(answer.indexOf('"items": [')).matchAll(/^ {4}\{\n[\s\S]*?\n {4}\}(?=,?$)/gm),
    ].map((m) => m[0]);
    expect(itemTexts).toHaveLength(workerItems.length);
    // Newest first, as the index lists them; only the published ones are answered.
    const slugs = ARTICLES.map((a) => a.name.replace(/\.md$/, '')).reverse();
    expect(workerItems.map((i) => i.id)).toEqual(slugs.slice(2).map((s) => `${SITE_ID}${s}`));
    expect(site.query.items).toHaveLength(slugs.length);
    const ranged: string[] = [];
    site.query.items.forEach((item, i) => {
      const slug = slugs[i] ?? '';
      if (typeof item.json === 'number') {
        expect(site.chunks[item.json], slug).toBeDefined();
        const parsed = JSON.parse(site.chunks[item.json] ?? '') as { id: string; url: string };
        expect([parsed.id, parsed.url], slug).toEqual([
          `${SITE_ID}${slug}`,
          `${SITE}/articles/${slug}`,
        ]);
        return;
      }
      ranged.push(slug);
      const [index, start, end] = item.json;
      const file = site.query.files[index];
      if (!file) throw new Error(`${slug}: no archive file ${index}`);
      const bytes = assets.read(file.path);
      if (!bytes) throw new Error(`${slug}: ${file.path} is not an asset`);
      expect(bytes.byteLength, file.path).toBe(file.bytes);
      const text = Buffer.from(bytes.subarray(start, end)).toString('utf8');
      const parsed = JSON.parse(text) as { id: string; url: string };
      expect([parsed.id, parsed.url], slug).toEqual([
        `${SITE_ID}${slug}`,
        `${SITE}/articles/${slug}`,
      ]);
      // Exactly the bytes of that item in the Worker's answer, not a byte more or less.
      const at = workerItems.findIndex((w) => w.id === parsed.id);
      expect(text, slug).toBe(itemTexts[at]);
      expect(workerItems[at], slug).toEqual(parsed);
    });
    // Only what no Worker document lists any more comes from the archive: the two on page 1.
    expect(ranged).toEqual(['story-2', 'story-1']);
    expect(site.query.files.map((f) => f.path)).toEqual(['/archive/1/feed.json']);
  });

  it('ships the query index as a file of the static assets, not as one object per article in the module', async () => {
    const root = await projects.project(ARTICLES);
    const result = await projects.build(root, VARS);
    if (!result.ok) throw new Error(result.messages.join('\n'));
    const { site } = result;
    const { moduleText, files } = renderSiteModule(site);
    // Nothing per article in the JavaScript the isolate evaluates at its start.
    expect(moduleText).not.toContain('"changedAt"');
    const path = queryIndexPath(site.buildId);
    expect(moduleText).toContain(`"items":{"path":"${path}"`);
    const file = files.find((f) => f.path === path);
    const items = JSON.parse(Buffer.from(file?.bytes ?? []).toString('utf8')) as QueryItem[];
    // The same items in the same order, each one's JSON item now a byte range of a file.
    expect(items.map(({ json: _, ...item }) => item)).toEqual(
      site.query.items.map(({ json: _, ...item }) => item),
    );
    for (const item of items) expect(Array.isArray(item.json)).toBe(true);
  });
});

describe('checkAssetLimits', () => {
  const note = (files: number) => checkAssetLimits({ files, tooBig: [] });

  it('names the plan a count of files needs, and refuses more than any plan holds', () => {
    expect(note(20_000)).toEqual({ problems: [], plan: 'Free' });
    expect(note(20_001)).toEqual({
      problems: [],
      plan: 'Paid',
      note: '20,001 static asset files: this site needs the Workers Paid plan (the Free plan allows 20,000 per version, Paid 100,000).',
    });
    expect(note(100_000).problems).toEqual([]);
    expect(note(100_001).problems).toEqual([
      '100,001 static asset files: more than the 100,000 a Worker version may have on any plan. Raise FEED_ITEM_LIMIT (fewer, longer archive pages) or split the site.',
    ]);
  });

  it('refuses a file over 25 MiB, naming its path', () => {
    const assets = new CountingAssets();
    assets.put('/archive/1/rss.xml', [new Uint8Array(ASSET_LIMITS.fileBytes)]);
    expect(checkAssetLimits(assets.tally).problems).toEqual([]);
    assets.put('/archive/2/feed.json', [new Uint8Array(ASSET_LIMITS.fileBytes), new Uint8Array(1)]);
    const { problems } = checkAssetLimits(assets.tally);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^\/archive\/2\/feed\.json: 26,214,401 bytes: Workers Static Assets serves files of at most 25 MiB \(26,214,400 bytes\)\.$/,
    );
  });
});

describe('the two assets folders', () => {
  it('keeps the folder in place when nothing changed, and replaces it, keeping unchanged files, when an article did', async () => {
    const root = await projects.project(PUBLISHED);
    const outFile = 'src/generated/site.js';
    const dir = join(root, 'src', 'generated', 'site.assets');
    const first = await projects.build(root, VARS, outFile);
    if (!first.ok) throw new Error(first.messages.join('\n'));
    const before = await readTree(dir);
    const inode = (await stat(dir)).ino;
    const page = join(dir, 'articles', 'story-1.html');
    const pageTime = (await stat(page)).mtimeMs;

    const again = await projects.build(root, VARS, outFile);
    if (!again.ok) throw new Error(again.messages.join('\n'));
    expect(again.assetsKept).toBe(again.site.assets.files);
    expect((await stat(dir)).ino).toBe(inode);
    expect(await readTree(dir)).toEqual(before);

    const edited = join(root, 'articles', 'story-2.md');
    await writeFile(
      edited,
      (await readFile(edited, 'utf8')).replace('paragraph', 'edited paragraph'),
    );
    const third = await projects.build(root, VARS, outFile);
    if (!third.ok) throw new Error(third.messages.join('\n'));
    expect((await stat(dir)).ino).not.toBe(inode);
    expect(third.assetsKept).toBeGreaterThan(0);
    expect(third.assetsKept).toBeLessThan(third.site.assets.files);
    // An unchanged page is the same file, linked: its mtime, and so its local ETag, kept.
    expect((await stat(page)).mtimeMs).toBe(pageTime);
    expect(Buffer.from(await readFile(join(dir, 'articles', 'story-2.html'))).toString()).toContain(
      'edited paragraph',
    );
  });

  it('leaves the live folder byte for byte, and the link on it, when the build fails its bundle check', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    await buildOk(root);
    const before = await readLive(generated);
    expect(Object.keys(before.files)).toContain('archive/1/feed.json');

    await writeFile(
      join(root, 'articles', 'story-8.md'),
      formatArticle(createDatedArticle('story-8', '2024-01-08')),
    );
    const failed = await projects.build(root, { ...VARS, BUNDLE_LIMIT_MIB: '0.001' }, OUT_FILE);
    expect(failed.ok ? [] : failed.messages).toEqual([expect.stringContaining('BUNDLE_LIMIT_MIB')]);
    expect(await readLive(generated)).toEqual(before);
    // The other folder was written and is known dirty: its manifest went first.
    expect(existsSync(join(generated, '.site.assets.1', 'articles', 'story-1.html'))).toBe(true);
    expect(existsSync(join(generated, '.site.assets.1', '.build-manifest.json'))).toBe(false);
    expect((await readdir(generated)).filter((name) => name.includes('assets')).sort()).toEqual([
      '.site.assets.0',
      '.site.assets.1',
      'site.assets',
    ]);
  });

  it('writes only what changed: leaves a file from the same key alone, links one the live folder has, writes the rest', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    await buildOk(root);
    await editArticle(root, 'story-2', 'First edit.');
    await buildOk(root);
    const [zero, one] = [join(generated, '.site.assets.0'), join(generated, '.site.assets.1')];
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.1');
    const zeroBefore = await filesOf(zero);
    const live = await filesOf(one);

    await editArticle(root, 'story-4', 'Another article edited.');
    const third = await buildOk(root);
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    const after = await filesOf(zero);
    const alone: string[] = [];
    const linked: string[] = [];
    const written: string[] = [];
    for (const [file, now] of after) {
      const was = zeroBefore.get(file);
      if (now.ino === was?.ino) {
        // Left alone (shared with the live folder or not): not even rewritten with the same bytes.
        expect([now.mtimeMs, now.bytes.equals(was.bytes)], file).toEqual([was.mtimeMs, true]);
        alone.push(file);
      } else if (now.ino === live.get(file)?.ino) {
        linked.push(file);
      } else {
        // A new file, of one name: not the live folder's written over.
        expect(now.nlink, file).toBe(1);
        written.push(file);
      }
    }
    // Written: exactly the files this build changed compared with the live folder (story-4's page and archive pages).
    const changed = [...after.keys()].filter(
      (file) => !live.get(file)?.bytes.equals(after.get(file)?.bytes ?? Buffer.alloc(0)),
    );
    expect(written.sort()).toEqual(changed.sort());
    expect(written).toContain('articles/story-4.html');
    // Linked: what the last build changed (story-2's files), which this folder had from before.
    expect(linked).toContain('articles/story-2.html');
    expect(alone).toContain('articles/story-1.html');
    expect(written).toEqual(['articles/story-4.html']);
    expect(linked.sort()).toEqual(
      [
        'articles/story-2.html',
        ...SCOPES.flatMap((base) =>
          ['', ...FEED_FILES].map((file) => assetFileOf(`${base}/archive/1/${file}`)),
        ),
      ].sort(),
    );
    expect(alone).toHaveLength(5);
    expect(third.assetsKept).toBe(alone.length + linked.length);
    // And the folder is the site, file for file.
    await expectSiteIn(join(generated, 'site.assets'), root);
  });

  it('never writes a file in place: a file both folders share keeps its old bytes in the other folder, edit after edit', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    const page = (folder: string) => join(generated, folder, 'articles', 'story-3.html');
    await buildOk(root);
    await editArticle(root, 'story-2', 'Unrelated edit.');
    await buildOk(root);
    // story-3 did not change: the two folders hold one file under two names.
    const original = await readFile(page('.site.assets.1'));
    expect((await stat(page('.site.assets.1'))).nlink).toBe(2);
    expect((await stat(page('.site.assets.1'))).ino).toBe((await stat(page('.site.assets.0'))).ino);

    await editArticle(root, 'story-3', 'First edit of story 3.');
    await buildOk(root);
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    const firstEdit = await readFile(page('.site.assets.0'));
    expect(firstEdit.toString()).toContain('First edit of story 3.');
    expect((await readFile(page('.site.assets.1'))).equals(original)).toBe(true);

    await editArticle(root, 'story-3', 'Second edit of story 3.');
    await buildOk(root);
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.1');
    expect((await readFile(page('.site.assets.1'))).toString()).toContain(
      'Second edit of story 3.',
    );
    expect((await readFile(page('.site.assets.0'))).equals(firstEdit)).toBe(true);
  });

  it('leaves the link on the last good folder, every file whole, when a build throws midway; the next build trusts nothing of the folder it left', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    const zero = join(generated, '.site.assets.0');
    await buildOk(root);
    await editArticle(root, 'story-2', 'First edit.');
    await buildOk(root);
    const before = await readLive(generated);

    // A folder where story-3's new page must go: its write fails, after others succeeded.
    await editArticle(root, 'story-3', 'Edited.');
    await rm(join(zero, 'articles', 'story-3.html'));
    await mkdir(join(zero, 'articles', 'story-3.html', 'x'), { recursive: true });
    await expect(projects.build(root, VARS, OUT_FILE)).rejects.toThrow();
    expect(await readLive(generated)).toEqual(before);
    expect(existsSync(join(zero, '.build-manifest.json'))).toBe(false);
    expect(existsSync(join(generated, '.site.assets.lock'))).toBe(false);

    // What an interrupted build could leave: a stray file, and a file of a key that is no longer its own.
    await rm(join(zero, 'articles', 'story-3.html'), { recursive: true });
    await mkdir(join(zero, 'archive', '9'), { recursive: true });
    await writeFile(join(zero, 'archive', '9', 'index.html'), 'stray');
    await rm(join(zero, 'articles', 'story-5.html'));
    await writeFile(join(zero, 'articles', 'story-5.html'), 'half-written');
    // The failed build kept what it cached (story-3's parse), and left no pack half-written.
    const cacheFiles = await readdir(join(root, 'node_modules', '.cache'), { recursive: true });
    expect(cacheFiles.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const next = await buildOk(root);
    expect(next.cache?.parse.misses).toBe(0);
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    // Only story-3's page rendered: the rest linked from the live folder, story-5's too.
    expect(next.assetsKept).toBe(next.site.assets.files - 1);
    await expectSiteIn(join(generated, 'site.assets'), root);
    expect(existsSync(join(zero, 'archive', '9'))).toBe(false);
  });

  it('removes the files of deleted articles, and the folders they leave empty, from the new live folder', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) =>
      createDatedArticle(`story-${i + 1}`, `2024-01-${String(i + 1).padStart(2, '0')}T08:00:00Z`, {
        tags: [TAG],
        authors: ['Ann Lee'],
      }),
    );
    const root = await projects.project(eleven);
    const generated = join(root, 'src', 'generated');
    const live = join(generated, 'site.assets');
    const scopes = ['', `tags/${TAG_SLUG}/`, 'authors/ann-lee/'];
    await buildOk(root);
    await editArticle(root, 'story-1', 'Edited.');
    await buildOk(root);
    // Eleven articles settle archive pages 1 to 3 in each scope, seven only page 1.
    for (const base of scopes)
      expect(existsSync(join(live, `${base}archive`, '3', 'feed.json')), base).toBe(true);
    for (const n of [8, 9, 10, 11]) await rm(join(root, 'articles', `story-${n}.md`));
    await buildOk(root);
    expect(await readlink(live)).toBe('.site.assets.0');
    await expectSiteIn(live, root);
    expect(existsSync(join(live, 'articles', 'story-11.html'))).toBe(false);
    for (const base of scopes) {
      expect(await readdir(join(live, `${base}archive`)), base).toEqual(['1']);
    }
  });

  it('writes a correct folder without the cache (no keys), and after it, with the cache again', async () => {
    const root = await projects.project(PUBLISHED);
    const live = join(root, 'src', 'generated', 'site.assets');
    await buildOk(root);
    await editArticle(root, 'story-2', 'Built without the cache.');
    const uncached = await runTestBuild({
      root,
      vars: { ...FIXTURE_VARS, ...VARS },
      now: FIXTURE_NOW,
      outFile: OUT_FILE,
      cache: false,
    });
    if (!uncached.ok) throw new Error(uncached.messages.join('\n'));
    expect(uncached.assetsKept).toBe(0);
    expect(await readlink(live)).toBe('.site.assets.1');
    await expectSiteIn(live, root);
    // Nothing changed, but the live folder's files have no keys: built again, into the other folder.
    await buildOk(root);
    expect(await readlink(live)).toBe('.site.assets.0');
    await expectSiteIn(live, root);
  });

  it('changes neither folder when nothing changed compared with the live one', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    await buildOk(root);
    await editArticle(root, 'story-2', 'Edited.');
    await buildOk(root);
    const trees = async () => [
      await readTree(join(generated, '.site.assets.0')),
      await readTree(join(generated, '.site.assets.1')),
    ];
    const manifestTime = async () =>
      (await stat(join(generated, '.site.assets.0', '.build-manifest.json'))).mtimeMs;
    const before = [await trees(), await manifestTime()];
    const again = await buildOk(root);
    expect(again.assetsKept).toBe(again.site.assets.files);
    expect([await trees(), await manifestTime()]).toEqual(before);
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.1');
  });

  it('makes the folder of an earlier build (a real site.assets) folder 0, behind a link, and builds on from it', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    const target = join(generated, 'site.assets');
    await buildOk(root);
    // The one-folder layout: site.assets a real folder (its manifest of the older version), and the staging and trash folders it could leave.
    await rm(target);
    await rename(join(generated, '.site.assets.0'), target);
    const manifest = JSON.parse(await readFile(join(target, '.build-manifest.json'), 'utf8')) as {
      files: unknown;
    };
    await writeFile(
      join(target, '.build-manifest.json'),
      JSON.stringify({ version: 1, files: manifest.files }),
    );
    for (const name of ['.site.assets.next-123', '.site.assets.trash-123-abcd'])
      await mkdir(join(generated, name, 'articles'), { recursive: true });
    const old = await readTree(target);

    await recoverAssets(target);
    expect((await lstat(target)).isSymbolicLink()).toBe(true);
    expect(await readlink(target)).toBe('.site.assets.0');
    expect(await readTree(target)).toEqual(old);
    expect((await readdir(generated)).filter((name) => name.includes('assets')).sort()).toEqual([
      '.site.assets.0',
      'site.assets',
    ]);

    // And a build (which recovers first) from the real folder again: the new output goes to folder 1.
    await rm(target);
    await rename(join(generated, '.site.assets.0'), target);
    await editArticle(root, 'story-2', 'Edited after the move.');
    await buildOk(root);
    expect(await readlink(target)).toBe('.site.assets.1');
    await expectSiteIn(target, root);
    expect(await readTree(join(generated, '.site.assets.0'))).toEqual(old);
  });

  it('points a missing or dangling link at the folder with a manifest and the newest build', async () => {
    const root = await projects.project(PUBLISHED);
    const generated = join(root, 'src', 'generated');
    const target = join(generated, 'site.assets');
    await buildOk(root);
    await editArticle(root, 'story-2', 'Edited.');
    await buildOk(root);
    expect(await readlink(target)).toBe('.site.assets.1');

    await rm(target);
    await recoverAssets(target);
    expect(await readlink(target)).toBe('.site.assets.1');
    await rm(target);
    await symlink('.site.assets.7', target);
    await recoverAssets(target);
    expect(await readlink(target)).toBe('.site.assets.1');
    // A link to a whole folder is left as it is.
    await rm(target);
    await symlink('.site.assets.0', target);
    await recoverAssets(target);
    expect(await readlink(target)).toBe('.site.assets.0');
    // Folder 1 dirty (a build died in it): folder 0 is the last good one.
    await rm(join(generated, '.site.assets.1', '.build-manifest.json'));
    await rm(target);
    await recoverAssets(target);
    expect(await readlink(target)).toBe('.site.assets.0');
    // A build from there writes folder 1 again, trusting none of it.
    await buildOk(root);
    expect(await readlink(target)).toBe('.site.assets.1');
    await expectSiteIn(target, root);
  });
});

const OUT_FILE = 'src/generated/site.js';

/** Builds `root` into src/generated; throws on any problem. */
async function buildOk(root: string) {
  const result = await projects.build(root, VARS, OUT_FILE);
  if (!result.ok) throw new Error(result.messages.join('\n'));
  return result;
}

/** Adds a sentence to an article's body. */
async function editArticle(root: string, slug: string, sentence: string): Promise<void> {
  const file = join(root, 'articles', `${slug}.md`);
  await writeFile(file, `${await readFile(file, 'utf8')}\n\n${sentence}\n`);
}

/** What is served: the link's target, every file through it, and the module. */
async function readLive(generated: string) {
  return {
    link: await readlink(join(generated, 'site.assets')),
    files: await readTree(join(generated, 'site.assets')),
    module: (await readFile(join(generated, 'site.js'))).toString('base64'),
  };
}

/** A file's inode, its number of names, its mtime and its bytes. */
interface FileState {
  ino: number;
  nlink: number;
  mtimeMs: number;
  bytes: Buffer;
}

/** The settled files of an assets folder (control files and the manifest left out), with inode and bytes. */
async function filesOf(dir: string): Promise<Map<string, FileState>> {
  const files = new Map<string, FileState>();
  for (const path of settledPaths(readAssetsFrom(dir))) {
    const file = join(dir, assetFileOf(path));
    const { ino, nlink, mtimeMs } = await stat(file);
    files.set(assetFileOf(path), { ino, nlink, mtimeMs, bytes: await readFile(file) });
  }
  return files;
}

/** Checks that an assets folder holds exactly the settled documents of an in-memory build of `root`, byte for byte. */
async function expectSiteIn(dir: string, root: string): Promise<void> {
  const result = await projects.build(root, VARS);
  if (!result.ok) throw new Error(result.messages.join('\n'));
  const expected = assetsOf(result.site);
  const actual = readAssetsFrom(dir);
  expect(settledPaths(actual)).toEqual(settledPaths(expected));
  for (const path of settledPaths(expected))
    expect(Buffer.from(actual.read(path) ?? []).toString(), path).toBe(
      Buffer.from(expected.read(path) ?? []).toString(),
    );
  const manifest = JSON.parse(await readFile(join(dir, '.build-manifest.json'), 'utf8')) as {
    files: [path: string][];
  };
  const listed = manifest.files.map(([path]) => path);
  expect(listed.filter((path) => !path.startsWith(WORKER_FILES_PREFIX)).sort()).toEqual(
    settledPaths(expected),
  );
  // The Worker's files in the manifest are those in the folder.
  const workerFiles = actual.paths().filter((path) => path.startsWith(WORKER_FILES_PREFIX));
  expect(workerFiles.length).toBeGreaterThan(0);
  expect(listed.filter((p) => p.startsWith(WORKER_FILES_PREFIX)).sort()).toEqual(
    workerFiles.sort(),
  );
}
