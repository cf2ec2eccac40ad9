import { spawnSync } from 'node:child_process';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawVars } from '../../../src/content/config.ts';
import { readGeneratedSite } from '../../../src/prerender/site-module.ts';
import {
  createArticle,
  FIXTURE_VARS,
  formatArticle,
  writeArticles,
} from '../../support/fixtures.ts';
import {
  allBodies,
  articleSlugs,
  assetsOf,
  FIXTURE_NOW,
  isAsset,
  parseXmlStrict,
  REPO_ROOT,
  runTestBuild,
  servedFeeds,
} from '../support.ts';

const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build.ts');

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** Writes fixtures into a temporary project that is removed after the test. */
async function createProject(...args: Parameters<typeof writeArticles>): Promise<string> {
  const root = await writeArticles(...args);
  roots.push(root);
  return root;
}

/** Runs the build over fixture vars with a fixed clock. */
async function build(root: string, vars: RawVars = FIXTURE_VARS) {
  return runTestBuild({ root, vars, now: FIXTURE_NOW });
}

/** The files under `dir`, as paths relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The text of every body of the Worker's in an assets folder (`_worker/*.body`), one after another. */
async function readWorkerBodies(dir: string): Promise<string> {
  const bodies = (await listFiles(join(dir, '_worker'))).filter((f) => f.endsWith('.body'));
  return (await Promise.all(bodies.map((f) => readFile(join(dir, '_worker', f), 'utf8')))).join(
    '\n',
  );
}

/** Every file under `dir` with its bytes, by relative path. */
async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const path of await listFiles(dir)) files[path] = await readFile(join(dir, path));
  return files;
}

/** Runs `node scripts/build.ts` in `cwd`, as wrangler's [build] command does. */
function runCli(
  cwd: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(NODE, [BUILD_SCRIPT, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 25_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a build leaves about its assets in src/generated: the link and the folders it points at by turns, nothing else (no lock, no temporary link). */
async function listAssetNames(generated: string): Promise<string[]> {
  const names = (await readdir(generated)).filter((name) => name.includes('assets'));
  expect((await lstat(join(generated, 'site.assets'))).isSymbolicLink()).toBe(true);
  return names.sort();
}

describe('runBuild problems', () => {
  it('lists every problem across several broken files at once', async () => {
    const root = await createProject([
      createArticle({ name: 'good.md' }),
      { name: 'bad-date.md', body: '---\ntitle: Bad date\ndate: 25/09/23\n---\nBody text.\n' },
      { name: 'no-title.md', body: '---\ndate: 2024-03-01\n---\nBody text.\n' },
      {
        name: 'typo.md',
        body: '---\ntitle: Typo\ndate: 2024-03-01\ntitel: again\nimage: pic.png\n---\nBody text.\n',
      },
    ]);
    const result = await build(root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages).toEqual([
      'articles/bad-date.md:3: date: expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got "25/09/23"',
      'articles/no-title.md:4: title: missing: add `title:` to the front matter or start the body with a `# Heading`',
      'articles/typo.md:4: titel: unknown key; did you mean `title`? (known keys: title, date, updated, summary, authors, tags, image, lang, original_url, draft)',
      'articles/typo.md:5: image: expected an absolute http(s) URL such as "https://example.com/x", got "pic.png"',
    ]);
  });

  it('refuses two files that make the same slug', async () => {
    const root = await createProject([
      createArticle({ name: 'a.md' }),
      createArticle({ name: 'A.markdown' }),
    ]);
    const result = await build(root);
    expect(result).toMatchObject({
      ok: false,
      messages: [
        'articles/a.md:1: slug: duplicate slug "a": articles/A.markdown has the same one; rename one of the files',
      ],
    });
  });
});

describe('runBuild over what articles/ holds', () => {
  /** The text of a file outside the project, which a link must never publish. */
  const SECRET = 'Secret text from outside the project, long enough to be a summary of its own.';

  /** A folder outside the project with one article-shaped file in it, removed after the test. */
  async function createOutsideFolder(): Promise<string> {
    const outside = await mkdtemp(join(tmpdir(), 'feed-publisher-outside-'));
    roots.push(outside);
    await writeFile(
      join(outside, 'secret.md'),
      formatArticle(
        createArticle({ name: 'secret.md', frontMatter: { title: 'Secret' }, body: SECRET }),
      ),
    );
    return outside;
  }

  /** Builds with an output file, as `npm run build` does, and says whether anything was written. */
  async function buildAndWrite(root: string) {
    const result = await runTestBuild({
      root,
      vars: FIXTURE_VARS,
      now: FIXTURE_NOW,
      outFile: 'src/generated/site.js',
    });
    const written = await readdir(join(root, 'src', 'generated')).catch(() => []);
    return { result, written };
  }

  it('publishes an article filed in a subfolder at /articles/<file name>, in the feeds too', async () => {
    const root = await createProject([
      createArticle({ name: 'top.md', frontMatter: { title: 'At the top', date: '2024-03-01' } }),
      createArticle({
        name: '2024/rate-cut.md',
        frontMatter: { title: 'Rates cut', date: '2024-05-01' },
      }),
      createArticle({
        name: '2023/q4/deep.md',
        frontMatter: { title: 'Filed deep', date: '2023-12-01' },
      }),
    ]);
    const result = await build(root);
    if (!result.ok) throw new Error(result.messages.join('\n'));
    expect(result.articleCount).toBe(3);
    expect(articleSlugs(result.site)).toEqual(['deep', 'rate-cut', 'top']);
    expect(result.notes).toEqual([]);
    const json = JSON.parse(servedFeeds(result.site).json.body) as {
      items: { title: string; url: string; id: string }[];
    };
    expect(json.items.map((i) => [i.title, i.url, i.id])).toEqual([
      ['Rates cut', 'https://news.example/articles/rate-cut', 'tag:news.example,2026:rate-cut'],
      ['At the top', 'https://news.example/articles/top', 'tag:news.example,2026:top'],
      ['Filed deep', 'https://news.example/articles/deep', 'tag:news.example,2026:deep'],
    ]);
    const rss = parseXmlStrict(servedFeeds(result.site).rss.body);
    expect([...rss.getElementsByTagName('link')].map((l) => l.textContent)).toContain(
      'https://news.example/articles/rate-cut',
    );
    // Published at the build, the page is a settled document: a static asset, not a Worker route.
    expect(isAsset(result.site, '/articles/rate-cut')).toBe(true);
    expect(result.site.routes['/articles/rate-cut']).toBeUndefined();
    // Folders are for filing: they appear in no URL, of the Worker or of the assets.
    const paths = [...Object.keys(result.site.routes), ...assetsOf(result.site).paths()];
    expect(paths).toContain('/articles/deep');
    expect(paths.filter((path) => /2023|2024|q4/.test(path))).toEqual([]);
  });

  it('refuses two files of the same name in different folders, naming both', async () => {
    const root = await createProject([
      createArticle({ name: '2023/rate-cut.md' }),
      createArticle({ name: '2024/rate-cut.md' }),
    ]);
    const { result, written } = await buildAndWrite(root);
    expect(result.ok ? [] : result.messages).toEqual([
      'articles/2024/rate-cut.md:1: slug: duplicate slug "rate-cut": articles/2023/rate-cut.md has the same one (the slug is the file name, whatever its folder); rename one of the files',
    ]);
    expect(written).toEqual([]);
  });

  it('refuses a symbolic link to a file, naming it, and writes nothing', async () => {
    const outside = await createOutsideFolder();
    const root = await createProject([createArticle({ name: 'good.md' })]);
    await symlink(join(outside, 'secret.md'), join(root, 'articles', 'x.md'));
    const { result, written } = await buildAndWrite(root);
    expect(result.ok ? [] : result.messages).toEqual([
      'articles/x.md:1: file: a symbolic link is not published: it could read any file on the build machine; copy the file into articles/ instead',
    ]);
    expect(written).toEqual([]);
  });

  it('refuses a symbolic link to a folder, and a dangling one, and writes nothing', async () => {
    const outside = await createOutsideFolder();
    const root = await createProject([createArticle({ name: 'good.md' })]);
    await symlink(outside, join(root, 'articles', '2024'));
    await mkdir(join(root, 'articles', 'archive'));
    await symlink(join(outside, 'gone.md'), join(root, 'articles', 'archive', 'gone.md'));
    const { result, written } = await buildAndWrite(root);
    expect(result.ok ? [] : result.messages).toEqual([
      'articles/2024:1: file: a symbolic link to a folder is not published: it could read any file on the build machine; copy the folder into articles/ instead',
      'articles/archive/gone.md:1: file: a symbolic link is not published: it could read any file on the build machine; copy the file into articles/ instead',
    ]);
    expect(written).toEqual([]);
  });

  it('lists a link among the other problems, at once', async () => {
    const outside = await createOutsideFolder();
    const root = await createProject([
      { name: 'bad.md', body: '---\ntitle: Bad\ndate: soon\n---\nBody.\n' },
    ]);
    await symlink(join(outside, 'secret.md'), join(root, 'articles', 'a-link.md'));
    const result = await build(root);
    expect(result.ok ? [] : result.messages).toEqual([
      expect.stringMatching(/^articles\/a-link\.md:1: file: a symbolic link is not published: /),
      'articles/bad.md:3: date: expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got "soon"',
    ]);
  });

  it('refuses a named pipe (it is never opened, so the build does not hang)', async () => {
    const root = await createProject([createArticle({ name: 'good.md' })]);
    const made = spawnSync('mkfifo', [join(root, 'articles', 'pipe.md')]);
    if (made.error || made.status !== 0)
      throw new Error(`mkfifo failed: ${made.error?.message ?? made.stderr}`);
    const result = await build(root);
    expect(result.ok ? [] : result.messages).toEqual([
      'articles/pipe.md:1: file: a named pipe (FIFO) is not a regular file and cannot be an article: remove it from articles/',
    ]);
  });

  it('publishes the markdown and names every other file it leaves out in a note', async () => {
    const root = await createProject([
      createArticle({ name: 'story.md' }),
      { name: 'notes.txt', body: 'not an article' },
      { name: '2024/photo.jpg', body: 'not an image either' },
      { name: 'draft.md~', body: 'an editor backup' },
    ]);
    const result = await build(root);
    if (!result.ok) throw new Error(result.messages.join('\n'));
    expect(articleSlugs(result.site)).toEqual(['story']);
    expect(result.notes).toEqual([
      'articles/2024/photo.jpg: not published: only .md and .markdown files are articles',
      'articles/draft.md~: not published: only .md and .markdown files are articles',
      'articles/notes.txt: not published: only .md and .markdown files are articles',
    ]);
  });

  it('skips hidden files and folders without a word, but notes a hidden markdown file', async () => {
    const root = await createProject([
      createArticle({ name: 'story.md' }),
      { name: '.gitkeep', body: '' },
      { name: '2024/.DS_Store', body: 'Finder' },
      { name: '.obsidian/workspace.md', body: 'editor state' },
      createArticle({ name: '.unfinished.md' }),
    ]);
    // Emacs locks a file being edited with a dangling link named .#<file>.
    await symlink('someone@host.1234', join(root, 'articles', '.#story.md'));
    const result = await build(root);
    if (!result.ok) throw new Error(result.messages.join('\n'));
    expect(articleSlugs(result.site)).toEqual(['story']);
    expect(result.notes).toEqual([
      'articles/.unfinished.md: not published: its name starts with "." (a hidden file); remove the dot to publish it',
    ]);
  });
});

describe('runBuild drafts', () => {
  it('leaves drafts out of every feed, page and count', async () => {
    const root = await createProject([
      createArticle({
        name: 'published.md',
        frontMatter: { title: 'Published story', date: '2024-03-01' },
      }),
      // Dated in the future as well, so that it cannot sneak in through a scheduled edition.
      createArticle({
        name: 'secret-draft.md',
        frontMatter: { title: 'Secret draft title', date: '2030-01-01', draft: true },
      }),
    ]);
    const result = await build(root);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.articleCount).toBe(1);
    expect(articleSlugs(result.site)).toEqual(['published']);
    expect(result.site.schedule).toEqual([]);
    for (const body of allBodies(result.site)) {
      expect(body).not.toContain('Secret draft title');
      expect(body).not.toContain('secret-draft');
    }
    // Nor anywhere else in what the Worker is given.
    expect(JSON.stringify(result.site)).not.toMatch(/secret.draft/i);
    const json = JSON.parse(servedFeeds(result.site).json.body) as { items: { title: string }[] };
    expect(json.items.map((i) => i.title)).toEqual(['Published story']);
  });

  it('still validates drafts', async () => {
    const root = await createProject([
      createArticle({ name: 'draft.md', frontMatter: { date: 'soon', draft: true } }),
    ]);
    const result = await build(root);
    expect(result.ok ? [] : result.messages).toEqual([
      'articles/draft.md:3: date: expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got "soon"',
    ]);
  });
});

describe('runBuild configuration', () => {
  it.each([
    [
      'SITE_URL',
      'news.example',
      'SITE_URL must be an absolute http(s) URL such as "https://news.example", got "news.example".',
    ],
    [
      'SITE_URL',
      'ftp://news.example',
      'SITE_URL must be an absolute http(s) URL such as "https://news.example", got "ftp://news.example".',
    ],
    [
      'SITE_URL',
      'https://news.example/?x=1',
      'SITE_URL must not carry a query, fragment or credentials, got "https://news.example/?x=1": use the bare site address.',
    ],
    [
      'SITE_ID',
      'https://news.example/',
      'SITE_ID must be an RFC 4151 tag URI prefix such as "tag:news.example,2026:", got "https://news.example/"',
    ],
    [
      'FEED_ITEM_LIMIT',
      'lots',
      'FEED_ITEM_LIMIT must be a whole number from 1 to 500, got "lots": fix it under [vars] in wrangler.toml.',
    ],
    [
      'FEED_ITEM_LIMIT',
      '0',
      'FEED_ITEM_LIMIT must be a whole number from 1 to 500, got "0": fix it under [vars] in wrangler.toml.',
    ],
    [
      'TIME_ZONE',
      'Mars/Olympus',
      'TIME_ZONE must be an IANA time zone such as "UTC" or "Europe/Moscow", got "Mars/Olympus".',
    ],
    [
      'EDGE_CACHE',
      'everything',
      'EDGE_CACHE must be "computed" (the Cache API only for answers computed per request), "all" (in front of every route) or "off", got "everything".',
    ],
    // Plain text in every format, like article titles.
    [
      'SITE_TITLE',
      'The <i>Dispatch</i>',
      'SITE_TITLE: "<i>" reads as an HTML tag to feed readers that take titles as HTML, and as text to the others: titles are plain text, so leave the tag out, or name it in quotes (“i”, «i»). Fix it under [vars] in wrangler.toml.',
    ],
    [
      'SITE_DESCRIPTION',
      'News &amp; views',
      'SITE_DESCRIPTION: "&amp;" is an HTML character reference: readers that take feed descriptions as HTML show "&", the others "&amp;"; feed descriptions are plain text, so type "&" itself',
    ],
    [
      'SITE_AUTHOR',
      'Desk <desk@news.example>',
      'SITE_AUTHOR: "<desk@news.example>" reads as an HTML tag',
    ],
    [
      'SITE_AUTHOR_TYPE',
      'organisation',
      'SITE_AUTHOR_TYPE must be "Person" or "Organization" (the schema.org type of SITE_AUTHOR in the pages\' JSON-LD), got "organisation": fix it under [vars] in wrangler.toml.',
    ],
    [
      'SITE_AUTHOR',
      '—',
      'SITE_AUTHOR must have a letter or digit, to make the URL of its author page from, got "—": name the newsroom or the person.',
    ],
  ])('fails with a sentence naming %s when it is %j', async (name, value, sentence) => {
    const root = await createProject([createArticle()]);
    const result = await build(root, { ...FIXTURE_VARS, [name]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages).toHaveLength(1);
    const [message = ''] = result.messages;
    expect(message.split('\n')).toEqual([
      'Invalid configuration in wrangler.toml [vars]:',
      expect.stringContaining(`  - ${sentence}`),
    ]);
  });

  it('gives SITE_AUTHOR both of its checks at once: plain text, and a letter or digit for its page', async () => {
    const root = await createProject([createArticle()]);
    const result = await build(root, { ...FIXTURE_VARS, SITE_AUTHOR: '<!-- -->' });
    expect(result.ok ? [] : (result.messages[0]?.split('\n') ?? [])).toEqual([
      'Invalid configuration in wrangler.toml [vars]:',
      '  - SITE_AUTHOR: "<!-- -->" reads as the start of an HTML comment to feed readers that take author names as HTML, and as text to the others: author names are plain text, so put a space after "<". Fix it under [vars] in wrangler.toml.',
      '  - SITE_AUTHOR must have a letter or digit, to make the URL of its author page from, got "<!-- -->": name the newsroom or the person.',
    ]);
  });

  it('names a missing required variable and says where to add it', async () => {
    const root = await createProject([createArticle()]);
    const { SITE_TITLE: _dropped, ...vars } = FIXTURE_VARS;
    const result = await build(root, vars);
    expect(result.ok ? [] : result.messages).toEqual([
      'Invalid configuration in wrangler.toml [vars]:\n  - SITE_TITLE is not set: add SITE_TITLE = "…" under [vars] in wrangler.toml.',
    ]);
  });

  it('lists every invalid variable at once', async () => {
    const root = await createProject([createArticle()]);
    const result = await build(root, {
      ...FIXTURE_VARS,
      SITE_URL: 'nope',
      TIME_ZONE: 'Nowhere/Else',
      FEED_ITEM_LIMIT: '-1',
    });
    const message = result.ok ? '' : (result.messages[0] ?? '');
    expect(message).toContain('SITE_URL must be');
    expect(message).toContain('TIME_ZONE must be');
    expect(message).toContain('FEED_ITEM_LIMIT must be');
  });
});

describe('scripts/build.ts', () => {
  /** A project folder with the real wrangler.toml and the given article fixtures. */
  async function createCliProject(
    ...articles: Parameters<typeof createArticle>[0][]
  ): Promise<string> {
    const root = await createProject(articles.map((a) => createArticle(a)));
    await copyFile(join(REPO_ROOT, 'wrangler.toml'), join(root, 'wrangler.toml'));
    return root;
  }

  it('writes the generated module and reports the article count', async () => {
    const root = await createCliProject({ name: 'first.md' });
    const run = runCli(root);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Built 1 article in \d+ ms; build [0-9a-f]{16}; reused from the build cache: 0 of 1 parsed files, 0 of 1 rendered articles; static assets: (\d+) files \(1 settled document, (\d+) of the Worker's: its bodies in each coding and the query index; within the Workers Free plan\), 0 kept from the last build\.\n$/,
    );
    const [, total, workerFiles] = /static assets: (\d+) files \(1 settled document, (\d+) /.exec(
      run.stdout,
    ) ?? ['', '0', '0'];
    // The module holds the routes; the bodies are files of the static assets, under _worker/.
    const generated = join(root, 'src', 'generated');
    const { moduleText } = await readGeneratedSite(join(generated, 'site.js'));
    expect(moduleText).toContain('"/rss.xml"');
    expect(moduleText).not.toContain('<h1>');
    expect(await readWorkerBodies(join(generated, 'site.assets'))).toContain('<h1>');
    // The article page, settled, is a file of the static assets beside the module, not a route.
    expect([...moduleText.matchAll(/"\/articles\/([^"]+)"/g)].map((m) => m[1])).toEqual([]);
    const files = await listFiles(join(generated, 'site.assets'));
    expect(files.filter((f) => !f.startsWith('_worker/'))).toEqual([
      '.assetsignore',
      '.build-manifest.json',
      '_headers',
      '_redirects',
      'articles/first.html',
    ]);
    expect(files.filter((f) => f.startsWith('_worker/'))).toHaveLength(Number(workerFiles));
    expect(Number(total)).toBe(1 + Number(workerFiles));
    expect(
      await readFile(join(generated, 'site.assets', 'articles', 'first.html'), 'utf8'),
    ).toMatch(/^<!doctype html>[\s\S]*<h1>/i);
    // A link to the one folder written, and nothing else beside it.
    expect(await listAssetNames(generated)).toEqual(['.site.assets.0', 'site.assets']);
  });

  it('exits non-zero on a broken article, prints file:line problems and keeps the last good build', async () => {
    const root = await createCliProject({ name: 'first.md' });
    expect(runCli(root).status).toBe(0);
    const generated = join(root, 'src', 'generated');
    const before = await Promise.all([
      readFile(join(generated, 'site.js')),
      readFile(join(generated, 'site.d.ts')),
    ]);
    const beforeSite = await readGeneratedSite(join(generated, 'site.js'));
    const beforeAssets = await readTree(join(generated, 'site.assets'));
    expect(Object.keys(beforeAssets)).toContain('articles/first.html');

    await writeFile(
      join(root, 'articles', 'second.md'),
      formatArticle(createArticle({ name: 'second.md', frontMatter: { date: '2023-02-30' } })),
    );
    await writeFile(
      join(root, 'articles', 'third.md'),
      '---\ntitle: Third\ndate: 2024-03-01\ntitel: x\n---\nBody.\n',
    );
    const run = runCli(root);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'articles/second.md:3: date: impossible date: "2023-02-30"',
      'articles/third.md:4: titel: unknown key; did you mean `title`? (known keys: title, date, updated, summary, authors, tags, image, lang, original_url, draft)',
      '',
      'Build failed: 2 problems. Nothing was written; the last good build stays in place.',
      '',
    ]);
    const after = await Promise.all([
      readFile(join(generated, 'site.js')),
      readFile(join(generated, 'site.d.ts')),
    ]);
    expect(after[0].equals(before[0])).toBe(true);
    expect(after[1].equals(before[1])).toBe(true);
    // The bodies the module imports are still there, byte for byte.
    expect(
      Buffer.from((await readGeneratedSite(join(generated, 'site.js'))).data).equals(
        Buffer.from(beforeSite.data),
      ),
    ).toBe(true);
    // And so are the static assets it goes with.
    expect(await readTree(join(generated, 'site.assets'))).toEqual(beforeAssets);
  });

  it('exits non-zero with a sentence naming the variable when wrangler.toml is wrong', async () => {
    const root = await createCliProject({ name: 'first.md' });
    const toml = await readFile(join(root, 'wrangler.toml'), 'utf8');
    await writeFile(
      join(root, 'wrangler.toml'),
      toml.replace(/^TIME_ZONE = .*$/m, 'TIME_ZONE = "Moscow"'),
    );
    const run = runCli(root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'TIME_ZONE must be an IANA time zone such as "UTC" or "Europe/Moscow", got "Moscow".',
    );
  });

  it('prints a note for each file it leaves out, building or checking', async () => {
    const root = await createCliProject({ name: '2024/first.md' });
    await writeFile(join(root, 'articles', 'notes.txt'), 'not an article');
    for (const args of [[], ['--check']]) {
      const run = runCli(root, ...args);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n')).toEqual([
        'note: articles/notes.txt: not published: only .md and .markdown files are articles',
        expect.stringMatching(/^(Built|Checked) 1 article in /),
        '',
      ]);
    }
  });

  it('fails on a symbolic link when checking as when building, and writes nothing', async () => {
    const root = await createCliProject({ name: 'first.md' });
    await symlink(join(root, 'wrangler.toml'), join(root, 'articles', 'linked.md'));
    for (const args of [['--check'], []]) {
      const run = runCli(root, ...args);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')).toEqual([
        'articles/linked.md:1: file: a symbolic link is not published: it could read any file on the build machine; copy the file into articles/ instead',
        '',
        'Build failed: 1 problem. Nothing was written; the last good build stays in place.',
        '',
      ]);
    }
    await expect(readdir(join(root, 'src'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('checks without writing anything when given --check', async () => {
    const root = await createCliProject({ name: 'first.md' });
    const run = runCli(root, '--check');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Checked 1 article in \d+ ms.*; static assets: \d+ files \(1 settled document, \d+ of the Worker's: its bodies in each coding and the query index; within the Workers Free plan\)\.\n$/,
    );
    // Neither the module nor the assets folder (nor a staging folder for it): nothing at all.
    await expect(readdir(join(root, 'src'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writing the generated module', () => {
  it('leaves the last good module and its data whole when writing the new module fails, and removes old data only after a success', async () => {
    const root = await createProject([
      createArticle({ name: 'first.md', frontMatter: { title: 'First' } }),
    ]);
    const outFile = 'src/generated/site.js';
    const generated = join(root, 'src', 'generated');
    const first = await runTestBuild({ root, vars: FIXTURE_VARS, now: FIXTURE_NOW, outFile });
    if (!first.ok) throw new Error(first.messages.join('\n'));
    const before = await readGeneratedSite(join(generated, 'site.js'));
    const beforeModule = await readFile(join(generated, 'site.js'));
    const beforeAssets = await readTree(join(generated, 'site.assets'));

    // A folder where the new module's temporary file goes: the rename step can never happen.
    await writeFile(
      join(root, 'articles', 'second.md'),
      formatArticle(createArticle({ name: 'second.md', frontMatter: { title: 'Second' } })),
    );
    await mkdir(join(generated, 'site.js.tmp'));
    await expect(
      runTestBuild({ root, vars: FIXTURE_VARS, now: FIXTURE_NOW, outFile }),
    ).rejects.toMatchObject({ code: 'EISDIR' });
    expect((await readFile(join(generated, 'site.js'))).equals(beforeModule)).toBe(true);
    const after = await readGeneratedSite(join(generated, 'site.js'));
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    // The old module's assets stay with it, byte for byte: its query index points into them.
    expect(await readTree(join(generated, 'site.assets'))).toEqual(beforeAssets);
    // Still the first build's folder: the second one's, written and failed, is not linked.
    expect(await readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    expect(await listAssetNames(generated)).toEqual([
      '.site.assets.0',
      '.site.assets.1',
      'site.assets',
    ]);

    await rm(join(generated, 'site.js.tmp'), { recursive: true });
    const second = await runTestBuild({ root, vars: FIXTURE_VARS, now: FIXTURE_NOW, outFile });
    if (!second.ok) throw new Error(second.messages.join('\n'));
    expect(second.site.buildId).not.toBe(first.site.buildId);
    // Only the new module's own data file is left.
    expect((await readdir(generated)).filter((name) => name.endsWith('.bin'))).toEqual([
      `site.${second.site.buildId}.bin`,
    ]);
    expect(await readWorkerBodies(join(generated, 'site.assets'))).toContain('Second');
    expect(
      Object.keys(await readTree(join(generated, 'site.assets'))).filter(
        (f) => !f.startsWith('_worker/'),
      ),
    ).toEqual([
      '.assetsignore',
      '.build-manifest.json',
      '_headers',
      '_redirects',
      'articles/first.html',
      'articles/second.html',
    ]);
  });
});
