// Fixture sites for the tests, written as files so that the real build reads them.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RawVars } from '../../src/content/config.ts';
import { SCHEDULED_PAGES_AT } from './schedule.ts';

/** Configuration used by every fixture site. */
export const FIXTURE_VARS: RawVars = {
  SITE_URL: 'https://news.example',
  SITE_TITLE: 'Fixture News',
  SITE_DESCRIPTION: 'Articles the tests build.',
  SITE_LANGUAGE: 'en',
  SITE_AUTHOR: 'Fixture Desk',
  SITE_ID: 'tag:news.example,2026:',
  FEED_ITEM_LIMIT: '20',
  TIME_ZONE: 'UTC',
};

/**
 * Text that has broken feeds elsewhere: XML-invalid controls, two `]]>`, `<` and `&` that are
 * text to an HTML reader too (a tag or a character reference would be refused), quotes, RTL, emoji.
 */
export const HOSTILE_TITLE =
  'Bad \u0001bytes ]]> and ]]> again < script >alert(1)< /script > & AT&T <3 "quotes" \'apos\' \u202Eשלום\u202C 🦊';
/** The same title as a reader should see it: only the XML-invalid character is gone. */
export const HOSTILE_TITLE_CLEAN = HOSTILE_TITLE.replace('\u0001', '');

/** Tag names of the hostile article: `<`, `&` and `]]>` that stay text. */
export const HOSTILE_TAGS = ['a<=b', 'fish & chips', 'x]]>y'];

/** Front matter and body for an article file. */
export interface ArticleFixture {
  name: string;
  frontMatter?: Record<string, unknown>;
  body: string;
}

/** Creates an article fixture with fixed dates and the given overrides. */
export function createArticle(
  overrides: Partial<ArticleFixture> & { frontMatter?: Record<string, unknown> } = {},
): ArticleFixture {
  return {
    name: 'plain-article.md',
    frontMatter: { title: 'A plain article', date: '2024-03-01', ...overrides.frontMatter },
    body: 'A paragraph of body text with enough words to count as a real paragraph for the summary.\n',
    ...overrides,
    ...(overrides.frontMatter
      ? { frontMatter: { title: 'A plain article', date: '2024-03-01', ...overrides.frontMatter } }
      : {}),
  };
}

/** Serialises a fixture the way an author writes it. */
export function formatArticle(article: ArticleFixture): string {
  if (!article.frontMatter) return article.body;
  const lines = Object.entries(article.frontMatter).map(
    ([key, value]) => `${key}: ${JSON.stringify(value)}`,
  );
  return `---\n${lines.join('\n')}\n---\n${article.body}`;
}

/** Writes fixtures into a fresh temporary project folder and returns its path; a name may include subfolders (`2024/x.md`). */
export async function writeArticles(articles: readonly ArticleFixture[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'feed-publisher-'));
  await mkdir(join(root, 'articles'));
  for (const article of articles) {
    const path = join(root, 'articles', article.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatArticle(article));
  }
  return root;
}

/** Hostile content in every field a reader shows. */
export const HOSTILE_ARTICLES: ArticleFixture[] = [
  {
    name: 'hostile.md',
    frontMatter: {
      title: HOSTILE_TITLE,
      date: '2024-05-01T10:00:00Z',
      tags: HOSTILE_TAGS,
      authors: ["Ann <&> O'Neil"],
    },
    body: [
      `Body with ]]> once and ]]> twice, a control \u0002 char, and a \u200F right-to-left mark: مرحبا.`,
      '',
      '<script>alert("x")</script>',
      '',
      'Emoji 🦊🏳️‍🌈 and combining e\u0301 and Fish &amp; chips literally.',
      '',
      '[a javascript link](javascript:alert(1)) and [relative](../other) and ![img](pic.png)',
    ].join('\n'),
  },
  {
    name: 'second.md',
    frontMatter: { title: 'Second', date: '2024-04-01' },
    body: 'The second article has a body long enough to be a summary of its own here.',
  },
];

export { SCHEDULED_BUILD_NOW } from './schedule.ts';

/** One published article and one scheduled for SCHEDULED_AT. */
export const SCHEDULED_ARTICLES: ArticleFixture[] = [
  {
    name: 'already-out.md',
    frontMatter: { title: 'Already out', date: '2024-12-31T09:00:00Z' },
    body: 'This one was published the day before the build and is visible at once.',
  },
  {
    name: 'coming-soon.md',
    frontMatter: { title: 'Coming soon', date: '2025-01-01T12:00:00Z' },
    body: 'This one is scheduled and must stay invisible until noon on New Year’s Day.',
  },
];

/** Two items a page, so that the scheduled articles below make archive pages appear. */
export const SCHEDULED_PAGES_VARS: RawVars = { ...FIXTURE_VARS, FEED_ITEM_LIMIT: '2' };

/**
 * Three articles out before the build and three scheduled after it (SCHEDULED_PAGES_AT): with
 * two items a page, the first makes archive page 1 appear, the third archive page 2.
 */
export const SCHEDULED_PAGES_ARTICLES: ArticleFixture[] = [
  ...[1, 2, 3].map((n) => ({
    name: `out-${n}.md`,
    frontMatter: { title: `Out ${n}`, date: `2024-12-2${n}T09:00:00Z` },
    body: `Article ${n} was published before the build and is visible at once.`,
  })),
  ...SCHEDULED_PAGES_AT.map((at, i) => ({
    name: `due-${i + 1}.md`,
    frontMatter: { title: `Due ${i + 1}`, date: new Date(at).toISOString() },
    body: `Article ${i + 1} of the scheduled ones stays invisible until its instant comes.`,
  })),
];

/** Configuration of the paged fixture: small pages, media, WebSub. */
export const PAGED_VARS: RawVars = {
  ...FIXTURE_VARS,
  FEED_ITEM_LIMIT: '5',
  QUERY_LIMIT_MAX: '8',
  SITE_ICON: 'https://news.example/icon.png',
  SITE_LOGO: 'https://news.example/logo.png',
  WEBSUB_HUB: 'https://hub.example/',
};

/** The author URL the paged fixture gives Bo Chen. */
export const PAGED_AUTHOR_URL = 'https://bo.example/';

/**
 * Seventeen articles, one a day from 2024-01-01, five to a page: the feeds hold days 17–11 and
 * archive pages 2 (days 10–6) and 1 (days 5–1). All are "news" and page the same way; odd days
 * are "Café", even days "cafe" (one tag, two spellings); every third is "Политика" (days 1, 4,
 * 7, 10, 13, 16: all in its feed). Days 4, 8, 12 and 16 name no author (so SITE_AUTHOR,
 * "Fixture Desk"); the others are by "Zoë Adams" (odd days) or "zoe adams" (even days), one
 * author of thirteen articles whose feed pages: its feed holds the eight newest (days 17 to 7),
 * its archive page 1 the five oldest (days 1, 2, 3, 5, 6). Days 1, 7, 10 and 13 are also by
 * Bo Chen, who has a url. Day 12 has an image and was updated later.
 */
export const PAGED_ARTICLES: ArticleFixture[] = Array.from({ length: 17 }, (_, i) => {
  const day = String(i + 1).padStart(2, '0');
  const tags = ['news', i % 2 === 0 ? 'Café' : 'cafe', ...(i % 3 === 0 ? ['Политика'] : [])];
  const authors =
    i % 4 === 3
      ? undefined
      : [
          i % 2 === 0 ? 'Zoë Adams' : 'zoe adams',
          ...(i % 3 === 0 ? [{ name: 'Bo Chen', url: PAGED_AUTHOR_URL }] : []),
        ];
  return {
    name: `day-${day}.md`,
    frontMatter: {
      title: `Day ${day}`,
      date: `2024-01-${day}T08:00:00Z`,
      tags,
      ...(authors ? { authors } : {}),
      ...(i === 11
        ? { image: 'https://cdn.example/photos/day-12.jpg', updated: '2024-02-01T00:00:00Z' }
        : {}),
    },
    body: `Day ${day} brings a paragraph of body text with enough words to be a real summary of the day.`,
  };
});

/** Two items a page, so that most of the archived fixture's articles are on settled pages. */
export const ARCHIVED_VARS: RawVars = { ...FIXTURE_VARS, FEED_ITEM_LIMIT: '2' };

/**
 * Thirteen articles by the site author, the even ones tagged "even": with two a page, the
 * site's (and the author's) archive pages 1–4 (days 1–8) are settled, and so is page 1 of the
 * tag (days 2 and 4). Days 1–8 are in no document the Worker holds, so the JSON query reads
 * their items from the `feed.json` files of the static assets.
 */
export const ARCHIVED_ARTICLES: ArticleFixture[] = Array.from({ length: 13 }, (_, i) => {
  const day = String(i + 1).padStart(2, '0');
  return {
    name: `old-${day}.md`,
    frontMatter: {
      title: `Old ${day}`,
      date: `2024-03-${day}T08:00:00Z`,
      ...(i % 2 === 1 ? { tags: ['even'] } : {}),
    },
    body: `Old ${day} has a paragraph of body text, long enough to be a summary of its own.`,
  };
});
