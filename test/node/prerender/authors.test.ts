import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FIXTURE_VARS, writeArticles } from '../../support/fixtures.ts';
import {
  ATOM_NS,
  bodyServedAt,
  buildFixtureSite,
  childElements,
  childText,
  createDatedArticle,
  parseXmlStrict,
  runTestBuild,
  servedAt,
} from '../support.ts';

const SITE = 'https://news.example';

interface JsonFeed {
  title: string;
  authors: { name: string; url?: string }[];
  items: { id: string; authors: { name: string; url?: string }[] }[];
}

/** The feed-level author and each entry's authors of an Atom document, as [name, uri]. */
function atomAuthors(xml: string): {
  feed: [string | undefined, string | undefined][];
  entries: Record<string, [string | undefined, string | undefined][]>;
} {
  const feed = parseXmlStrict(xml).documentElement;
  if (!feed) throw new Error('no feed element');
  const read = (
    parent: Parameters<typeof childElements>[0],
  ): [string | undefined, string | undefined][] =>
    childElements(parent, 'author', ATOM_NS).map((a) => [
      childText(a, 'name', ATOM_NS),
      childText(a, 'uri', ATOM_NS),
    ]);
  const entries = Object.fromEntries(
    childElements(feed, 'entry', ATOM_NS).map((e) => [childText(e, 'id', ATOM_NS) ?? '', read(e)]),
  );
  return { feed: read(feed), entries };
}

describe('authors in the build', () => {
  it('gives each author a page and three feeds, and an article with two authors is in both', async () => {
    const site = await buildFixtureSite([
      createDatedArticle('one', '2024-01-01', { authors: ['Ann Lee', 'Bo Chen'] }),
      createDatedArticle('two', '2024-01-02', { authors: ['Ann Lee'] }),
      createDatedArticle('three', '2024-01-03'),
    ]);
    expect(Object.keys(site.routes).filter((p) => p.startsWith('/authors/'))).toEqual(
      ['ann-lee', 'bo-chen', 'fixture-desk'].flatMap((slug) =>
        ['rss.xml', 'atom.xml', 'feed.json', ''].map((file) => `/authors/${slug}/${file}`),
      ),
    );
    const ids = (slug: string): string[] =>
      (JSON.parse(bodyServedAt(site, `/authors/${slug}/feed.json`)) as JsonFeed).items.map(
        (i) => i.id,
      );
    expect(ids('ann-lee')).toEqual(['tag:news.example,2026:two', 'tag:news.example,2026:one']);
    expect(ids('bo-chen')).toEqual(['tag:news.example,2026:one']);
    // SITE_AUTHOR, for the article that names none.
    expect(ids('fixture-desk')).toEqual(['tag:news.example,2026:three']);
    const rssGuids = [
      ...bodyServedAt(site, '/authors/bo-chen/rss.xml').matchAll(/<guid[^>]*>([^<]*)</g),
    ].map((m) => m[1]);
    expect(rssGuids).toEqual(['tag:news.example,2026:one']);
    expect(
      Object.keys(atomAuthors(bodyServedAt(site, '/authors/ann-lee/atom.xml')).entries),
    ).toEqual(ids('ann-lee'));
    const page = bodyServedAt(site, '/authors/ann-lee/');
    expect(page).toContain('<h1>Fixture News · Ann Lee</h1>');
    expect(page).toContain(
      `<link rel="alternate" type="application/atom+xml" title="Fixture News · Ann Lee (Atom)" href="${SITE}/authors/ann-lee/atom.xml">`,
    );
    expect(page).toContain(`href="${SITE}/articles/one"`);
    expect(page).not.toContain(`href="${SITE}/articles/three"`);
  });

  it('merges spellings that differ only in case or accents into one author and says so', async () => {
    const root = await writeArticles([
      createDatedArticle('a', '2024-01-01', { authors: ['Zoë Adams'] }),
      createDatedArticle('b', '2024-01-02', { authors: ['zoe adams'] }),
      createDatedArticle('c', '2024-01-03', {
        authors: ['Zoë Adams', { name: 'ZOE ADAMS', url: 'https://zoe.example/' }],
      }),
      createDatedArticle('d', '2024-01-04', { tags: ['Café'] }),
      createDatedArticle('e', '2024-01-05', { tags: ['cafe'] }),
    ]);
    try {
      const result = await runTestBuild({
        root,
        vars: FIXTURE_VARS,
        now: Date.parse('2025-01-01T00:00:00Z'),
      });
      if (!result.ok) throw new Error(result.messages.join('\n'));
      expect(result.notes).toEqual([
        'tags "Café", "cafe" are one tag, "Café", at /tags/cafe/',
        'authors "Zoë Adams", "ZOE ADAMS", "zoe adams" are one author, "Zoë Adams", at /authors/zoe-adams/',
        // The five article pages.
      ]);
      const { site } = result;
      expect(Object.keys(site.routes).filter((p) => p.startsWith('/authors/zo'))).toEqual(
        ['rss.xml', 'atom.xml', 'feed.json', ''].map((f) => `/authors/zoe-adams/${f}`),
      );
      for (const slug of ['a', 'b', 'c']) {
        // One name, one link, once, however the article spells it.
        const byline = /<p class="meta">.*? · By (.*?)<\/p>/.exec(
          bodyServedAt(site, `/articles/${slug}`),
        )?.[1];
        expect(byline, slug).toBe(
          `<a rel="author" href="${SITE}/authors/zoe-adams/">Zoë Adams</a>`,
        );
      }
      const feed = JSON.parse(bodyServedAt(site, '/authors/zoe-adams/feed.json')) as JsonFeed;
      expect(feed.title).toBe('Fixture News · Zoë Adams');
      expect(feed.items.map((i) => i.authors.map((a) => a.name))).toEqual([
        ['Zoë Adams'],
        ['Zoë Adams'],
        ['Zoë Adams'],
      ]);
      // Named twice in c, credited once, with the url the second spelling gives.
      expect(feed.items[0]?.authors).toEqual([{ name: 'Zoë Adams', url: 'https://zoe.example/' }]);
      expect(feed.authors).toEqual([{ name: 'Zoë Adams', url: 'https://zoe.example/' }]);
      expect(
        [...bodyServedAt(site, '/rss.xml').matchAll(/<dc:creator>(?:<!\[CDATA\[)?([^<\]]*)/g)].map(
          (m) => m[1],
        ),
      ).toEqual(['Fixture Desk', 'Fixture Desk', 'Zoë Adams', 'Zoë Adams', 'Zoë Adams']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses an author with no letter or digit, naming file and line, with every other problem', async () => {
    const root = await writeArticles([
      createDatedArticle('a', '2024-01-01', { authors: ['Ann Lee', '???'] }),
      createDatedArticle('b', '2024-01-02', { tags: ['!!!'], authors: [{ name: '—' }] }),
    ]);
    try {
      const result = await runTestBuild({ root, vars: FIXTURE_VARS, now: 0 });
      expect(result).toMatchObject({
        ok: false,
        messages: [
          'articles/b.md:4: tags: tag "!!!" has no letter or digit to make its URL from',
          'articles/a.md:4: authors: author "???" has no letter or digit to make its URL from',
          'articles/b.md:5: authors: author "—" has no letter or digit to make its URL from',
        ],
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("keeps an author's url as their link in Atom and JSON Feed, and links their page where none is given", async () => {
    const site = await buildFixtureSite([
      createDatedArticle('one', '2024-01-01', {
        authors: ['Ann Lee', { name: 'Bo Chen', url: 'https://bo.example/about?x=1&y=2' }],
      }),
      createDatedArticle('two', '2024-01-02', {
        authors: [{ name: 'Bo Chen', url: 'https://bo.example/about?x=1&y=2' }],
      }),
    ]);
    const bo = 'https://bo.example/about?x=1&y=2';
    const ann = `${SITE}/authors/ann-lee/`;
    for (const path of ['/atom.xml', '/authors/ann-lee/atom.xml', '/authors/bo-chen/atom.xml']) {
      expect(
        atomAuthors(bodyServedAt(site, path)).entries['tag:news.example,2026:one'],
        path,
      ).toEqual([
        ['Ann Lee', ann],
        ['Bo Chen', bo],
      ]);
    }
    // An author's feed names that author as its own, with their link (RFC 4287 §4.2.1).
    expect(atomAuthors(bodyServedAt(site, '/authors/bo-chen/atom.xml')).feed).toEqual([
      ['Bo Chen', bo],
    ]);
    expect(atomAuthors(bodyServedAt(site, '/authors/ann-lee/atom.xml')).feed).toEqual([
      ['Ann Lee', ann],
    ]);
    expect(atomAuthors(bodyServedAt(site, '/atom.xml')).feed).toEqual([
      ['Fixture Desk', undefined],
    ]);
    const json = JSON.parse(bodyServedAt(site, '/authors/bo-chen/feed.json')) as JsonFeed;
    expect(json.authors).toEqual([{ name: 'Bo Chen', url: bo }]);
    expect(json.items.find((i) => i.id.endsWith(':one'))?.authors).toEqual([
      { name: 'Ann Lee', url: ann },
      { name: 'Bo Chen', url: bo },
    ]);
    // The url does not replace the page: the byline leads to the page, which links the url.
    const page = bodyServedAt(site, '/articles/one');
    expect(page).toContain(`<a rel="author" href="${SITE}/authors/bo-chen/">Bo Chen</a>`);
    expect(bodyServedAt(site, '/authors/bo-chen/')).toContain(
      '<p class="meta">Website: <a href="https://bo.example/about?x=1&amp;y=2">bo.example/about?x=1&amp;y=2</a></p>',
    );
    expect(bodyServedAt(site, '/authors/ann-lee/')).not.toContain('Website:');
  });

  it('gives author pages URLs from the same slugs as tags, in any script', async () => {
    const site = await buildFixtureSite([
      createDatedArticle('a', '2024-01-01', { authors: ['Анна Ли'], tags: ['Анна Ли'] }),
    ]);
    const slug = encodeURIComponent('анна-ли');
    expect(servedAt(site, `/authors/${slug}/`)).toBeDefined();
    expect(servedAt(site, `/tags/${slug}/`)).toBeDefined();
    expect(bodyServedAt(site, '/articles/a')).toContain(
      `<a rel="author" href="${SITE}/authors/${slug}/">Анна Ли</a>`,
    );
  });

  it("opens an author's page when their first article appears, and never for a draft", async () => {
    const now = Date.parse('2024-06-01T00:00:00Z');
    const later = Date.parse('2024-07-01T00:00:00Z');
    const site = await buildFixtureSite(
      [
        createDatedArticle('out', '2024-01-01'),
        createDatedArticle('soon', '2024-07-01', { authors: ['Cy Diaz'] }),
        createDatedArticle('hidden', '2024-01-02', { authors: ['Di Evans'], draft: true }),
      ],
      { now },
    );
    expect(servedAt(site, '/authors/cy-diaz/rss.xml', now)).toBeUndefined();
    expect(servedAt(site, '/authors/cy-diaz/rss.xml', later)?.body).toContain(
      'tag:news.example,2026:soon',
    );
    expect(Object.keys(site.routes).some((p) => p.startsWith('/authors/di-evans'))).toBe(false);
  });
});
