import { slugify } from '../site/slug.ts';
import type { Article, Author, SiteConfig } from '../site/types.ts';
import { authorLinkOf } from './feed-document.ts';

/**
 * schema.org `Article` data for search engines and link previews (JSON-LD, as Google's
 * "Article structured data" guide asks: headline, dates, author, publisher, image).
 */
export function describeArticle(config: SiteConfig, article: Article): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: article.title,
    description: article.summary,
    url: article.permalink,
    mainEntityOfPage: { '@type': 'WebPage', '@id': article.permalink },
    datePublished: new Date(article.publishedAt).toISOString(),
    dateModified: new Date(article.updatedAt ?? article.publishedAt).toISOString(),
    author: article.authors.map((a) => {
      const url = authorLinkOf(a);
      return { '@type': typeOfAuthor(config, a), name: a.name, ...(url ? { url } : {}) };
    }),
    publisher: {
      '@type': 'Organization',
      name: config.title,
      url: `${config.siteUrl}/`,
      ...(config.logo ? { logo: { '@type': 'ImageObject', url: config.logo } } : {}),
    },
    ...(article.image ? { image: [article.image] } : {}),
    inLanguage: article.language,
    ...(article.tags.length > 0 ? { keywords: article.tags } : {}),
    ...(article.originalUrl ? { isBasedOn: article.originalUrl } : {}),
  };
}

/**
 * The schema.org type of an author: SITE_AUTHOR (by slug, so also where front matter names it)
 * is what SITE_AUTHOR_TYPE says, a Person or an Organization; anyone else is a Person.
 */
function typeOfAuthor(config: SiteConfig, author: Author): 'Person' | 'Organization' {
  return slugify(author.name) === slugify(config.defaultAuthor)
    ? config.defaultAuthorType
    : 'Person';
}

/**
 * Serialises JSON for a `<script type="application/ld+json">` data block. `<` becomes
 * `\u003c`, so no `</script>` or `<!--` in the data can end or change the element
 * (HTML §4.12.1.3, restrictions for contents of script elements).
 */
export function serializeJsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
