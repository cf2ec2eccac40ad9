// One reviewed file per feed format: the whole feed of a small site, to read as a reader gets it.
// The rule-by-rule assertions are in feeds.test.ts and beside each renderer. After a deliberate
// change of the output, `npx vitest run test/node/render/snapshots.test.ts -u` rewrites the
// files; review their diff before committing it. In CI (CI=true) a missing file fails.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuiltSite } from '../../../src/site/types.ts';
import { createArticle, FIXTURE_VARS } from '../../support/fixtures.ts';
import { buildFixtureSite, FIXTURE_NOW, servedFeeds } from '../support.ts';

/**
 * Two published articles and one scheduled after the build: an update, tags, two authors (one
 * with a url), an image, an original URL, a second language, and text that needs escaping.
 */
const SNAPSHOT_ARTICLES = [
  createArticle({
    name: 'rate-cut.md',
    frontMatter: {
      title: 'Central bank cuts rates; AT&T <3 bonds',
      date: '2024-03-01T08:00:00Z',
      updated: '2024-03-02T09:30:00Z',
      tags: ['Economy', 'Banks'],
      authors: [{ name: 'Zoë Adams', url: 'https://zoe.example/' }, 'Bo Chen'],
      image: 'https://cdn.example/rate-cut.jpg',
    },
    body: 'The central bank cut its main rate by a quarter point, to 3.75 %, the first cut in four years.\n\nMarkets [rose](https://markets.example/) & bonds rallied.\n',
  }),
  createArticle({
    name: 'harbour-reopens.md',
    frontMatter: {
      title: 'Le port rouvre',
      date: '2024-03-04T07:15:00Z',
      tags: ['Economy'],
      lang: 'fr',
      original_url: 'https://wire.example/port',
    },
    body: 'Le port a rouvert lundi après deux semaines de grève, selon l’agence qui a publié l’article en premier.\n',
  }),
  createArticle({
    name: 'budget-vote.md',
    frontMatter: { title: 'Budget vote', date: '2026-06-01T09:00:00Z', tags: ['Economy'] },
    body: 'Scheduled after the build: no feed may show it before its instant comes.\n',
  }),
];

const SNAPSHOT_VARS = {
  ...FIXTURE_VARS,
  SITE_ICON: 'https://news.example/icon.png',
  SITE_LOGO: 'https://news.example/logo.png',
  WEBSUB_HUB: 'https://hub.example/',
};

describe('the feeds of a small site, whole', () => {
  let feeds: ReturnType<typeof servedFeeds>;
  beforeAll(async () => {
    const site: BuiltSite = await buildFixtureSite(SNAPSHOT_ARTICLES, {
      vars: SNAPSHOT_VARS,
      now: FIXTURE_NOW,
    });
    feeds = servedFeeds(site, FIXTURE_NOW);
  });

  it('lists the published articles only', () => {
    for (const body of [feeds.rss.body, feeds.atom.body, feeds.json.body]) {
      expect(body).toContain('Le port rouvre');
      expect(body).not.toContain('Budget vote');
    }
  });

  it('writes RSS 2.0 as reviewed', async () => {
    await expect(feeds.rss.body).toMatchFileSnapshot('./__snapshots__/site.rss.xml');
  });

  it('writes Atom 1.0 as reviewed', async () => {
    await expect(feeds.atom.body).toMatchFileSnapshot('./__snapshots__/site.atom.xml');
  });

  it('writes JSON Feed 1.1 as reviewed', async () => {
    await expect(feeds.json.body).toMatchFileSnapshot('./__snapshots__/site.feed.json');
  });
});
