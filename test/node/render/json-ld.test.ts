import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from '../../../src/content/config.ts';
import { describeArticle, serializeJsonForScript } from '../../../src/render/json-ld.ts';
import type { Article } from '../../../src/site/types.ts';
import { FIXTURE_VARS } from '../../support/fixtures.ts';
import { bodyServedAt, buildFixtureSite, createDatedArticle } from '../support.ts';

const SITE = 'https://news.example';

/** The JSON-LD `author` of an article page. */
function jsonLdAuthors(html: string): unknown {
  const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (block === undefined) throw new Error('no JSON-LD');
  return (JSON.parse(block) as { author: unknown }).author;
}

/** An article as the renderers take it, with only what every article has. */
const PLAIN: Article = {
  slug: 'plain',
  id: 'tag:news.example,2026:plain',
  permalink: `${SITE}/articles/plain`,
  title: 'Plain',
  publishedAt: Date.parse('2024-03-01T09:30:00Z'),
  summary: 'The summary.',
  contentHtml: '<p>Body.</p>',
  authors: [{ name: 'Fixture Desk', page: `${SITE}/authors/fixture-desk/` }],
  tags: [],
  language: 'en',
};

describe('describeArticle', () => {
  const config = parseSiteConfig(FIXTURE_VARS);

  it('describes an article with only the fields every article has, and nothing for what it lacks', () => {
    expect(describeArticle(config, PLAIN)).toEqual({
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: 'Plain',
      description: 'The summary.',
      url: `${SITE}/articles/plain`,
      mainEntityOfPage: { '@type': 'WebPage', '@id': `${SITE}/articles/plain` },
      datePublished: '2024-03-01T09:30:00.000Z',
      dateModified: '2024-03-01T09:30:00.000Z',
      author: [{ '@type': 'Person', name: 'Fixture Desk', url: `${SITE}/authors/fixture-desk/` }],
      publisher: { '@type': 'Organization', name: 'Fixture News', url: `${SITE}/` },
      inLanguage: 'en',
    });
  });

  it('adds the update, the image, the tags, the original and the logo when there are any; an author’s own url wins over their page', () => {
    const full: Article = {
      ...PLAIN,
      updatedAt: Date.parse('2024-03-02T10:00:00Z'),
      image: 'https://img.example/a.jpg',
      tags: ['Economy', 'Rates'],
      originalUrl: 'https://elsewhere.example/story',
      authors: [
        { name: 'Bo Chen', url: 'https://bo.example/', page: `${SITE}/authors/bo-chen/` },
        { name: 'Ann Lee', page: `${SITE}/authors/ann-lee/` },
      ],
    };
    const withLogo = parseSiteConfig({
      ...FIXTURE_VARS,
      SITE_LOGO: 'https://img.example/logo.png',
    });
    expect(describeArticle(withLogo, full)).toMatchObject({
      dateModified: '2024-03-02T10:00:00.000Z',
      image: ['https://img.example/a.jpg'],
      keywords: ['Economy', 'Rates'],
      isBasedOn: 'https://elsewhere.example/story',
      author: [
        { '@type': 'Person', name: 'Bo Chen', url: 'https://bo.example/' },
        { '@type': 'Person', name: 'Ann Lee', url: `${SITE}/authors/ann-lee/` },
      ],
      publisher: {
        '@type': 'Organization',
        name: 'Fixture News',
        url: `${SITE}/`,
        logo: { '@type': 'ImageObject', url: 'https://img.example/logo.png' },
      },
    });
  });
});

describe('serializeJsonForScript', () => {
  it('leaves no `<` and no line or paragraph separator in the data, and reads back as the same value', () => {
    const data = { headline: '</script><script>alert(1)</script> <!-- x', note: 'a\u2028b\u2029c' };
    const text = serializeJsonForScript(data);
    expect(text).not.toMatch(/[<\u2028\u2029]/);
    expect(text).toContain('\\u003c/script>');
    expect(JSON.parse(text)).toEqual(data);
  });
});

describe('JSON-LD bylines', () => {
  const articles = [
    createDatedArticle('desk', '2024-01-01'),
    createDatedArticle('named', '2024-01-02', { authors: ['Ann Lee', 'fixture desk'] }),
  ];

  it('types SITE_AUTHOR as a Person by default, and named authors always as Persons', async () => {
    const site = await buildFixtureSite(articles);
    expect(site.config.defaultAuthorType).toBe('Person');
    expect(jsonLdAuthors(bodyServedAt(site, '/articles/desk'))).toEqual([
      { '@type': 'Person', name: 'Fixture Desk', url: `${SITE}/authors/fixture-desk/` },
    ]);
  });

  it('types SITE_AUTHOR as an Organization with SITE_AUTHOR_TYPE = "Organization", also where front matter names it', async () => {
    const site = await buildFixtureSite(articles, { vars: { SITE_AUTHOR_TYPE: 'Organization' } });
    expect(jsonLdAuthors(bodyServedAt(site, '/articles/desk'))).toEqual([
      { '@type': 'Organization', name: 'Fixture Desk', url: `${SITE}/authors/fixture-desk/` },
    ]);
    expect(jsonLdAuthors(bodyServedAt(site, '/articles/named'))).toEqual([
      { '@type': 'Person', name: 'Ann Lee', url: `${SITE}/authors/ann-lee/` },
      { '@type': 'Organization', name: 'Fixture Desk', url: `${SITE}/authors/fixture-desk/` },
    ]);
  });
});
