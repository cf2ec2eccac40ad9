// Third-party clients read what we publish: Python's feedparser (what many readers and
// aggregators use) and libxml2's xmllint with the RFC 4287 RELAX NG schema. CI installs both
// (.ci/run); a local machine without them skips these tests with a message, CI fails instead.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltSite } from '../../../src/site/types.ts';
import {
  type ArticleFixture,
  HOSTILE_ARTICLES,
  HOSTILE_TAGS,
  HOSTILE_TITLE_CLEAN,
  PAGED_ARTICLES,
  PAGED_AUTHOR_URL,
  PAGED_VARS,
} from '../../support/fixtures.ts';
import { buildFixtureSite, REPO_ROOT, runTestBuild, servedAt, servedFeeds } from '../support.ts';

const PYTHON = '/usr/bin/python3';
/** RFC 4287 Appendix B in RELAX NG XML syntax (see test/fixtures/README.md), relative to the repository root. */
const ATOM_SCHEMA = 'test/fixtures/atom.rng';
const SEED_SLUG = 'moscow-rebuffs-armenian-pms-claims-of-betrayal';
const SEED_TITLE = "Moscow Rebuffs Armenian PM's Claims of Betrayal";
/** Titles with `&` and `<` that are text to every reader: published as they are written. */
const PLAIN_TITLES = ['AT&T <3 & a < b, 5 > 3', 'Q&A: x<=y && y>=z'];
const TITLE_ARTICLES: ArticleFixture[] = [
  {
    name: 'front-matter.md',
    frontMatter: {
      title: PLAIN_TITLES[0],
      date: '2024-05-03T10:00:00Z',
      tags: ['R&D', 'a < b'],
      authors: ["Ann <&> O'Neil"],
    },
    body: 'Body words of the first article.',
  },
  // From the heading: markdown's `&amp;` and `*…*` become their text.
  {
    name: 'heading.md',
    body: '# Q&amp;A: *x*<=y && y>=z\n\n2024-05-02\n\nBody words of the second article.\n',
  },
];

/** Why a tool cannot run here, or undefined when it can. */
function findMissing(command: string, args: string[], what: string): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    return `${what} is not available (${result.error?.message ?? result.stderr.trim()})`;
  return undefined;
}

const missingPython = existsSync(PYTHON) ? undefined : `${PYTHON} is not installed`;
const missingFeedparser =
  missingPython ?? findMissing(PYTHON, ['-c', 'import feedparser'], 'Python feedparser');
// The schema is part of the repository: without it the validation fails rather than skips.
const missingXmllint = findMissing('xmllint', ['--version'], 'xmllint');

/**
 * Runs `body` as a describe block when the tool is there. Without it: in CI, one failing test
 * says what is missing; locally, the block is skipped with the reason in its title.
 */
function describeWithTool(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has its tool installed', () => {
        throw new Error(
          `${missing}: .ci/run installs python3-feedparser and libxml2-utils; CI must run these checks.`,
        );
      });
    });
  } else {
    console.warn(
      `Skipping "${name}": ${missing}. Install python3-feedparser and libxml2-utils (apt) to run it.`,
    );
    describe.skip(`${name} (skipped: ${missing})`, body);
  }
}

/** Paths of one site's three documents, written to a temporary folder. */
interface FeedFiles {
  site: BuiltSite;
  rss: string;
  atom: string;
  json: string;
}

/** Author feeds, as tag feeds are scopes of the site: the seed's SITE_AUTHOR, and Bo Chen of the paged fixture (two-author items, a url). */
type AuthorFeedName = 'seed author' | 'paged author';

let dir: string;
const builds: Record<'seed' | 'hostile' | 'titles' | AuthorFeedName, FeedFiles> = {} as Record<
  'seed' | 'hostile' | 'titles' | AuthorFeedName,
  FeedFiles
>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feed-clients-'));
  const seed = await runTestBuild({ root: REPO_ROOT });
  if (!seed.ok) throw new Error(`the build of articles/ failed:\n${seed.messages.join('\n')}`);
  const sites = {
    seed: seed.site,
    hostile: await buildFixtureSite(HOSTILE_ARTICLES),
    titles: await buildFixtureSite(TITLE_ARTICLES),
  };
  for (const [name, site] of Object.entries(sites) as [
    'seed' | 'hostile' | 'titles',
    BuiltSite,
  ][]) {
    const edition = servedFeeds(site);
    const files = {
      site,
      rss: join(dir, `${name}.rss.xml`),
      atom: join(dir, `${name}.atom.xml`),
      json: join(dir, `${name}.feed.json`),
    };
    await Promise.all([
      writeFile(files.rss, edition.rss.body),
      writeFile(files.atom, edition.atom.body),
      writeFile(files.json, edition.json.body),
    ]);
    builds[name] = files;
  }
  const authorFeeds: [AuthorFeedName, BuiltSite, string][] = [
    ['seed author', seed.site, '/authors/the-dispatch-newsroom/'],
    [
      'paged author',
      await buildFixtureSite(PAGED_ARTICLES, { vars: PAGED_VARS }),
      '/authors/bo-chen/',
    ],
  ];
  for (const [name, site, base] of authorFeeds) {
    const stem = join(dir, name.replace(' ', '-'));
    const files = {
      site,
      rss: `${stem}.rss.xml`,
      atom: `${stem}.atom.xml`,
      json: `${stem}.feed.json`,
    };
    for (const format of ['rss', 'atom', 'json'] as const) {
      const served = servedAt(
        site,
        `${base}${{ rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' }[format]}`,
      );
      if (!served) throw new Error(`${name}: nothing at ${base} for ${format}`);
      await writeFile(files[format], served.body);
    }
    builds[name] = files;
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What feedparser makes of a document. */
interface FeedparserResult {
  bozo: boolean;
  bozoException: string;
  version: string;
  title: string;
  /** The feed's own author, as [name, href]. */
  author: [string | null, string | null];
  entries: {
    title: string;
    titleType: string;
    link: string;
    id: string;
    published: string | null;
    tags: string[];
    authors: [string | null, string | null][];
  }[];
}

const FEEDPARSER_SCRIPT = `
import json, sys, time, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": bool(d.bozo),
  "bozoException": str(d.get("bozo_exception", "")),
  "version": d.get("version", ""),
  "title": d.feed.get("title"),
  "author": [d.feed.get("author_detail", {}).get("name"), d.feed.get("author_detail", {}).get("href")],
  "entries": [{
    "title": e.get("title"),
    "titleType": e.get("title_detail", {}).get("type"),
    "link": e.get("link"),
    "id": e.get("id"),
    "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", e.published_parsed) if e.get("published_parsed") else None,
    "tags": [t.get("term") for t in e.get("tags", [])],
    "authors": [[a.get("name"), a.get("href")] for a in e.get("authors", [])],
  } for e in d.entries],
}))
`;

function runFeedparser(file: string): FeedparserResult {
  return JSON.parse(
    check(spawnSync(PYTHON, ['-c', FEEDPARSER_SCRIPT, file], { encoding: 'utf8' })).stdout,
  ) as FeedparserResult;
}

function runXmllint(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('xmllint', ['--noout', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

/** Throws with the tool's stderr when it failed. */
function check(result: SpawnSyncReturns<string>): SpawnSyncReturns<string> {
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`);
  return result;
}

describeWithTool('feedparser', missingFeedparser, () => {
  it.each(['rss', 'atom'] as const)(
    'reads the seed %s feed without errors and finds the article',
    (format) => {
      const { site, [format]: file } = builds.seed;
      const parsed = runFeedparser(file);
      expect(parsed.bozo, parsed.bozoException).toBe(false);
      expect(parsed.version).toBe(format === 'rss' ? 'rss20' : 'atom10');
      expect(parsed.title).toBe(site.config.title);
      const entry = parsed.entries.find(
        (e) => e.link === `${site.config.siteUrl}/articles/${SEED_SLUG}`,
      );
      expect(entry?.title).toBe(SEED_TITLE);
      expect(entry?.published).toBe('2023-09-25T00:00:00Z');
      expect(entry?.id).toBe(`${site.config.siteId}${SEED_SLUG}`);
    },
  );

  it('reads the hostile RSS without errors and round-trips the title and tags', () => {
    const parsed = runFeedparser(builds.hostile.rss);
    expect(parsed.bozo, parsed.bozoException).toBe(false);
    expect(parsed.entries.map((e) => e.title)).toEqual([HOSTILE_TITLE_CLEAN, 'Second']);
    expect(parsed.entries[0]?.titleType).toBe('text/plain');
    expect(parsed.entries[0]?.tags).toEqual(HOSTILE_TAGS);
    expect(parsed.entries[0]?.link).toBe('https://news.example/articles/hostile');
  });

  it('reads the hostile Atom without errors and round-trips the title as text', () => {
    const parsed = runFeedparser(builds.hostile.atom);
    expect(parsed.bozo, parsed.bozoException).toBe(false);
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.entries[0]?.titleType).toBe('text/plain');
    expect(parsed.entries[0]?.title).toBe(HOSTILE_TITLE_CLEAN);
    expect(parsed.entries[0]?.tags).toEqual(HOSTILE_TAGS);
    expect(parsed.entries[0]?.published).toBe('2024-05-01T10:00:00Z');
  });

  it.each(['rss', 'atom'] as const)(
    'reads titles with a bare & and < in %s as plain text, exactly as written',
    (format) => {
      const parsed = runFeedparser(builds.titles[format]);
      expect(parsed.bozo, parsed.bozoException).toBe(false);
      expect(parsed.entries.map((e) => [e.title, e.titleType])).toEqual(
        PLAIN_TITLES.map((t) => [t, 'text/plain']),
      );
      expect(parsed.entries[0]?.tags).toEqual(['R&D', 'a < b']);
      expect(parsed.title).toBe(builds.titles.site.config.title);
    },
  );
});

describeWithTool('feedparser on author feeds', missingFeedparser, () => {
  it.each(['rss', 'atom'] as const)(
    "reads the seed's SITE_AUTHOR %s feed without errors",
    (format) => {
      const { site, [format]: file } = builds['seed author'];
      const parsed = runFeedparser(file);
      expect(parsed.bozo, parsed.bozoException).toBe(false);
      expect(parsed.version).toBe(format === 'rss' ? 'rss20' : 'atom10');
      expect(parsed.title).toBe(`${site.config.title} · The Dispatch newsroom`);
      expect(parsed.entries.map((e) => [e.link, e.id])).toEqual([
        [`${site.config.siteUrl}/articles/${SEED_SLUG}`, `${site.config.siteId}${SEED_SLUG}`],
      ]);
    },
  );

  it("reads an author's Atom feed with its author, and both authors of a two-author entry with their links", () => {
    const parsed = runFeedparser(builds['paged author'].atom);
    expect(parsed.bozo, parsed.bozoException).toBe(false);
    expect(parsed.author).toEqual(['Bo Chen', PAGED_AUTHOR_URL]);
    expect(parsed.entries.map((e) => e.title)).toEqual(['Day 13', 'Day 10', 'Day 07', 'Day 01']);
    for (const entry of parsed.entries) {
      expect(entry.authors).toEqual([
        ['Zoë Adams', 'https://news.example/authors/zoe-adams/'],
        ['Bo Chen', PAGED_AUTHOR_URL],
      ]);
    }
  });

  it("reads an author's RSS feed with both names of a two-author item", () => {
    const parsed = runFeedparser(builds['paged author'].rss);
    expect(parsed.bozo, parsed.bozoException).toBe(false);
    expect(parsed.version).toBe('rss20');
    expect(parsed.entries.map((e) => [e.title, e.authors.map(([name]) => name)])).toEqual(
      ['Day 13', 'Day 10', 'Day 07', 'Day 01'].map((t) => [t, ['Zoë Adams, Bo Chen']]),
    );
  });
});

// feedparser 6.0 reads RSS and Atom only; Python's own JSON parser stands in for JSON Feed.
describeWithTool('Python json', missingPython, () => {
  const JSON_SCRIPT = `
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    feed = json.load(f)
print(json.dumps({"version": feed["version"], "title": feed["title"], "items": [[i["title"], i["url"], i["date_published"]] for i in feed["items"]]}))
`;

  it.each(['seed', 'hostile', 'seed author'] as const)(
    'reads the %s JSON Feed as JSON Feed 1.1',
    (name) => {
      const { site, json } = builds[name];
      const parsed = JSON.parse(
        check(spawnSync(PYTHON, ['-c', JSON_SCRIPT, json], { encoding: 'utf8' })).stdout,
      ) as { version: string; title: string; items: string[][] };
      expect(parsed.version).toBe('https://jsonfeed.org/version/1.1');
      expect(parsed.title).toBe(
        name === 'seed author' ? `${site.config.title} · The Dispatch newsroom` : site.config.title,
      );
      const expected =
        name !== 'hostile'
          ? [SEED_TITLE, `${site.config.siteUrl}/articles/${SEED_SLUG}`, '2023-09-25T00:00:00.000Z']
          : [
              HOSTILE_TITLE_CLEAN,
              'https://news.example/articles/hostile',
              '2024-05-01T10:00:00.000Z',
            ];
      expect(parsed.items).toContainEqual(expected);
    },
  );
});

describeWithTool('xmllint', missingXmllint, () => {
  it.each(['seed', 'hostile', 'titles', 'seed author', 'paged author'] as const)(
    'validates the %s Atom feed against the RFC 4287 RELAX NG schema',
    (name) => {
      const result = runXmllint('--relaxng', ATOM_SCHEMA, builds[name].atom);
      expect(result.stderr).toContain('validates');
      expect(result.status, result.stderr).toBe(0);
    },
  );

  it.each(['seed', 'hostile', 'titles', 'seed author', 'paged author'] as const)(
    'finds the %s RSS feed well-formed',
    (name) => {
      const result = runXmllint(builds[name].rss);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );
});
