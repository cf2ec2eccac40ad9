import { describe, expect, it } from 'vitest';
import { site as hostileSite } from '../generated/hostile.js';
import { site as pagedSite } from '../generated/paged.js';
import { serveFixture } from './fixture-app.ts';
import { fetchWorker } from './support.ts';

const SITE = 'http://127.0.0.1:8787';
const SEED_SLUG = 'moscow-rebuffs-armenian-pms-claims-of-betrayal';
const SEED_TITLE = "Moscow Rebuffs Armenian PM's Claims of Betrayal";
const SEED_ORIGINAL =
  'https://www.themoscowtimes.com/2023/09/25/moscow-rebuffs-armenian-pms-claims-of-betrayal-a82557';

/** What a page says about itself, read with workerd's streaming HTML parser. */
interface PageFacts {
  lang: string | null;
  h1: string[];
  /** `<meta>` content by `property` or `name`, in document order. */
  meta: Record<string, string[]>;
  links: { rel: string; href: string; type: string | null; title: string | null }[];
  jsonLd: string[];
  styles: string[];
  times: string[];
  anchors: { href: string; rel: string | null; type: string | null; text: string }[];
  scripts: number;
  text: string;
}

async function readPage(res: Response): Promise<PageFacts> {
  const facts: PageFacts = {
    lang: null,
    h1: [],
    meta: {},
    links: [],
    jsonLd: [],
    styles: [],
    times: [],
    anchors: [],
    scripts: 0,
    text: '',
  };
  let anchor: PageFacts['anchors'][number] | undefined;
  const rewriter = new HTMLRewriter()
    .on('html', {
      element: (el) => {
        facts.lang = el.getAttribute('lang');
      },
    })
    .on('h1', {
      element: () => void facts.h1.push(''),
      text: (t) => {
        facts.h1[facts.h1.length - 1] += t.text;
      },
    })
    .on('meta', {
      element: (el) => {
        const key = el.getAttribute('property') ?? el.getAttribute('name');
        if (!key) return;
        const values = facts.meta[key] ?? [];
        facts.meta[key] = values;
        values.push(el.getAttribute('content') ?? '');
      },
    })
    .on('link', {
      element: (el) =>
        void facts.links.push({
          rel: el.getAttribute('rel') ?? '',
          href: el.getAttribute('href') ?? '',
          type: el.getAttribute('type'),
          title: el.getAttribute('title'),
        }),
    })
    .on('script', {
      element: (el) => {
        facts.scripts++;
        if (el.getAttribute('type') === 'application/ld+json') facts.jsonLd.push('');
      },
      text: (t) => {
        if (facts.jsonLd.length > 0) facts.jsonLd[facts.jsonLd.length - 1] += t.text;
      },
    })
    .on('style', {
      element: () => void facts.styles.push(''),
      text: (t) => {
        facts.styles[facts.styles.length - 1] += t.text;
      },
    })
    .on('time', { element: (el) => void facts.times.push(el.getAttribute('datetime') ?? '') })
    .on('a', {
      element: (el) => {
        anchor = {
          href: el.getAttribute('href') ?? '',
          rel: el.getAttribute('rel'),
          type: el.getAttribute('type'),
          text: '',
        };
        facts.anchors.push(anchor);
      },
      text: (t) => {
        if (anchor) anchor.text += t.text;
      },
    })
    .on('body', {
      text: (t) => {
        facts.text += t.text;
      },
    });
  await rewriter.transform(res).text();
  // The rewriter hands over raw source text; decode the references the renderer writes.
  return JSON.parse(JSON.stringify(facts), (_key, value) =>
    typeof value === 'string' ? decodeReferences(value) : value,
  );
}

function decodeReferences(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(
    /&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi,
    (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
      return named[name ?? ''] ?? whole;
    },
  );
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

describe('article page', () => {
  it('marks up the article with its language, heading, dates and canonical URL', async () => {
    const page = await readPage(await fetchWorker(`/articles/${SEED_SLUG}`));
    expect(page.lang).toBe('en');
    expect(page.h1).toEqual([SEED_TITLE]);
    expect(page.times[0]).toBe('2023-09-25T00:00:00.000Z');
    expect(page.links.filter((l) => l.rel === 'canonical').map((l) => l.href)).toEqual([
      `${SITE}/articles/${SEED_SLUG}`,
    ]);
    expect(page.text).toContain('Kremlin spokesman Dmitry Peskov told reporters.');
  });

  it('links visibly to the original source', async () => {
    const page = await readPage(await fetchWorker(`/articles/${SEED_SLUG}`));
    const source = page.anchors.find((a) => a.href === SEED_ORIGINAL);
    expect(source?.text).toBe('themoscowtimes.com');
  });

  it('describes itself for link previews with OpenGraph and a Twitter card', async () => {
    const { meta } = await readPage(await fetchWorker(`/articles/${SEED_SLUG}`));
    expect(meta['og:type']).toEqual(['article']);
    expect(meta['og:title']).toEqual([SEED_TITLE]);
    expect(meta['og:url']).toEqual([`${SITE}/articles/${SEED_SLUG}`]);
    expect(meta['og:site_name']).toEqual(['The Dispatch']);
    expect(meta['og:description']?.[0]).toMatch(/^Russia's Foreign Ministry said Monday/);
    expect(meta['article:published_time']).toEqual(['2023-09-25T00:00:00.000Z']);
    expect(meta['twitter:card']).toEqual(['summary']);
    expect(meta.description).toEqual(meta['og:description']);
  });

  it('carries schema.org Article data as JSON-LD', async () => {
    const page = await readPage(await fetchWorker(`/articles/${SEED_SLUG}`));
    expect(page.jsonLd).toHaveLength(1);
    expect(JSON.parse(page.jsonLd[0] ?? '')).toEqual({
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: SEED_TITLE,
      description: expect.stringMatching(/^Russia's Foreign Ministry said Monday/),
      url: `${SITE}/articles/${SEED_SLUG}`,
      mainEntityOfPage: { '@type': 'WebPage', '@id': `${SITE}/articles/${SEED_SLUG}` },
      datePublished: '2023-09-25T00:00:00.000Z',
      dateModified: '2023-09-25T00:00:00.000Z',
      // wrangler.toml: SITE_AUTHOR_TYPE = "Organization"; no url given, so the author's page.
      author: [
        {
          '@type': 'Organization',
          name: 'The Dispatch newsroom',
          url: `${SITE}/authors/the-dispatch-newsroom/`,
        },
      ],
      publisher: { '@type': 'Organization', name: 'The Dispatch', url: `${SITE}/` },
      inLanguage: 'en',
      isBasedOn: SEED_ORIGINAL,
    });
  });

  it('escapes markup in JSON-LD so that a title cannot close the script element', async () => {
    const fetch = serveFixture(hostileSite, Date.parse('2026-01-01T00:00:00Z'));
    const html = await (await fetch('/articles/hostile')).text();
    const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(block).not.toContain('<');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const data = JSON.parse(block);
    expect(data.headline).toContain('< script >alert(1)< /script > & AT&T <3 "quotes"');
    expect(data.author).toEqual([
      {
        '@type': 'Person',
        name: "Ann <&> O'Neil",
        url: 'https://news.example/authors/ann-o-neil/',
      },
    ]);
  });

  it('shows the image, the update date and the tags when the article has them', async () => {
    const fetch = serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z'));
    const res = await fetch('/articles/day-12');
    const page = await readPage(res);
    const image = 'https://cdn.example/photos/day-12.jpg';
    expect(page.meta['og:image']).toEqual([image]);
    expect(page.meta['twitter:card']).toEqual(['summary_large_image']);
    expect(page.meta['twitter:image']).toEqual([image]);
    expect(page.meta['article:modified_time']).toEqual(['2024-02-01T00:00:00.000Z']);
    // The fixture spells it "cafe" here and "Café" elsewhere: the site shows one name.
    expect(page.meta['article:tag']).toEqual(['news', 'Café']);
    expect(page.times).toEqual(['2024-01-12T08:00:00.000Z', '2024-02-01T00:00:00.000Z']);
    const data = JSON.parse(page.jsonLd[0] ?? '');
    expect(data).toMatchObject({
      image: [image],
      dateModified: '2024-02-01T00:00:00.000Z',
      keywords: ['news', 'Café'],
    });
    expect(data.publisher.logo).toEqual({
      '@type': 'ImageObject',
      url: 'https://news.example/logo.png',
    });
    expect(page.anchors.filter((a) => a.rel === 'tag').map((a) => [a.text, a.href])).toEqual([
      ['news', 'https://news.example/tags/news/'],
      ['Café', 'https://news.example/tags/cafe/'],
    ]);
  });
});

describe('list pages', () => {
  it('offers visible Subscribe links for the three feeds with a line on feed readers', async () => {
    const page = await readPage(await fetchWorker('/'));
    const feeds = page.anchors.filter((a) => a.type !== null).map((a) => [a.text, a.type, a.href]);
    expect(feeds).toEqual([
      ['RSS', 'application/rss+xml', `${SITE}/rss.xml`],
      ['Atom', 'application/atom+xml', `${SITE}/atom.xml`],
      ['JSON Feed', 'application/feed+json', `${SITE}/feed.json`],
    ]);
    expect(page.text).toMatch(/A feed reader is an app/);
  });

  it('lists articles with their dates and summaries', async () => {
    const page = await readPage(await fetchWorker('/'));
    expect(page.h1).toEqual(['The Dispatch']);
    expect(page.anchors.find((a) => a.href === `${SITE}/articles/${SEED_SLUG}`)?.text).toBe(
      SEED_TITLE,
    );
    expect(page.times).toEqual(['2023-09-25T00:00:00.000Z']);
    expect(page.text).toContain('September 25, 2023');
    expect(page.text).toContain("Russia's Foreign Ministry said Monday that it rejects");
    expect(page.meta['og:type']).toEqual(['website']);
  });

  it('pages to older and newer articles', async () => {
    const fetch = serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z'));
    const index = await readPage(await fetch('/'));
    expect(
      index.anchors.filter((a) => a.rel === 'next' || a.rel === 'prev').map((a) => [a.rel, a.href]),
    ).toEqual([['next', 'https://news.example/archive/2/']]);
    const archive = await readPage(await fetch('/archive/2/'));
    expect(archive.h1).toEqual(['Fixture News · page 2']);
    expect(
      archive.anchors
        .filter((a) => a.rel === 'next' || a.rel === 'prev')
        .map((a) => [a.rel, a.href]),
    ).toEqual([
      ['prev', 'https://news.example/'],
      ['next', 'https://news.example/archive/1/'],
    ]);
  });

  it("gives a tag's page that tag's feeds, for autodiscovery and to subscribe", async () => {
    const fetch = serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z'));
    const page = await readPage(await fetch('/tags/news/'));
    const alternates = page.links.filter((l) => l.rel === 'alternate').map((l) => l.href);
    expect(alternates).toEqual(
      ['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://news.example/tags/news/${f}`),
    );
    expect(page.anchors.filter((a) => a.type !== null).map((a) => a.href)).toEqual(alternates);
  });

  it("gives an author's page that author's feeds and a link to the author's own site", async () => {
    const fetch = serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z'));
    const page = await readPage(await fetch('/authors/bo-chen/'));
    expect(page.h1).toEqual(['Fixture News · Bo Chen']);
    const alternates = page.links.filter((l) => l.rel === 'alternate');
    expect(alternates.map((l) => [l.type, l.href, l.title])).toEqual([
      [
        'application/rss+xml',
        'https://news.example/authors/bo-chen/rss.xml',
        'Fixture News · Bo Chen (RSS)',
      ],
      [
        'application/atom+xml',
        'https://news.example/authors/bo-chen/atom.xml',
        'Fixture News · Bo Chen (Atom)',
      ],
      [
        'application/feed+json',
        'https://news.example/authors/bo-chen/feed.json',
        'Fixture News · Bo Chen (JSON Feed)',
      ],
    ]);
    expect(page.anchors.filter((a) => a.type !== null).map((a) => a.href)).toEqual(
      alternates.map((l) => l.href),
    );
    expect(page.anchors.find((a) => a.href === 'https://bo.example/')?.text).toBe('bo.example');
    expect(
      page.anchors
        .filter((a) => a.href.startsWith('https://news.example/articles/'))
        .map((a) => a.text),
    ).toEqual(['Day 13', 'Day 10', 'Day 07', 'Day 01']);
    expect(page.links.filter((l) => l.rel === 'canonical').map((l) => l.href)).toEqual([
      'https://news.example/authors/bo-chen/',
    ]);
  });
});

describe('bylines', () => {
  it('link each author to their page with rel="author", and JSON-LD types named authors as Persons', async () => {
    const fetch = serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z'));
    const page = await readPage(await fetch('/articles/day-10'));
    expect(page.anchors.filter((a) => a.rel === 'author').map((a) => [a.text, a.href])).toEqual([
      ['Zoë Adams', 'https://news.example/authors/zoe-adams/'],
      ['Bo Chen', 'https://news.example/authors/bo-chen/'],
    ]);
    expect(page.meta.author).toEqual(['Zoë Adams, Bo Chen']);
    expect(JSON.parse(page.jsonLd[0] ?? '').author).toEqual([
      { '@type': 'Person', name: 'Zoë Adams', url: 'https://news.example/authors/zoe-adams/' },
      { '@type': 'Person', name: 'Bo Chen', url: 'https://bo.example/' },
    ]);
    // The fixture leaves SITE_AUTHOR_TYPE unset: SITE_AUTHOR is a Person by default.
    const desk = await readPage(await fetch('/articles/day-12'));
    expect(JSON.parse(desk.jsonLd[0] ?? '').author).toEqual([
      {
        '@type': 'Person',
        name: 'Fixture Desk',
        url: 'https://news.example/authors/fixture-desk/',
      },
    ]);
  });

  it('link the seed article to its author page, which answers 200 (SITE_AUTHOR, an Organization in wrangler.toml)', async () => {
    const page = await readPage(await fetchWorker(`/articles/${SEED_SLUG}`));
    const authors = page.anchors.filter((a) => a.rel === 'author');
    expect(authors.map((a) => [a.text, a.href])).toEqual([
      ['The Dispatch newsroom', `${SITE}/authors/the-dispatch-newsroom/`],
    ]);
    const res = await fetchWorker('/authors/the-dispatch-newsroom/');
    expect(res.status).toBe(200);
    expect((await readPage(res)).h1).toEqual(['The Dispatch · The Dispatch newsroom']);
    expect(JSON.parse(page.jsonLd[0] ?? '').author[0]['@type']).toBe('Organization');
  });
});

describe('404 page', () => {
  it('answers people in the site style, kept out of search results', async () => {
    const res = await fetchWorker('/articles/no-such-thing');
    expect(res.status).toBe(404);
    const page = await readPage(res);
    expect(page.h1).toEqual(['Page not found']);
    expect(page.lang).toBe('en');
    expect(page.meta.robots).toEqual(['noindex']);
    expect(page.anchors.some((a) => a.href === `${SITE}/` && a.text === 'front page')).toBe(true);
    expect(page.styles).toHaveLength(1);
  });
});

describe('every page', () => {
  it.each([`/articles/${SEED_SLUG}`, '/', '/authors/the-dispatch-newsroom/', '/nope'])(
    '%s allows its inline stylesheet by hash and loads nothing else',
    async (path) => {
      const res = await fetchWorker(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      const page = await readPage(res);
      expect(page.styles).toHaveLength(1);
      expect(csp).toContain(`style-src 'sha256-${await sha256Base64(page.styles[0] ?? '')}'`);
      expect(csp).toMatch(/^default-src 'none';/);
      // Nothing but data: no stylesheets, fonts or scripts from anywhere.
      expect(page.links.filter((l) => !['canonical', 'alternate'].includes(l.rel))).toEqual([]);
      expect(page.scripts).toBe(page.jsonLd.length);
      expect(page.styles[0]).not.toMatch(/@import|@font-face|url\(/);
    },
  );
});
