import type { Article, Author, SiteConfig } from '../site/types.ts';
import { describeArticle } from './json-ld.ts';
import {
  displayHost,
  type FeedLinks,
  formatIso,
  renderDocument,
  renderTime,
} from './page-layout.ts';
import { escapeHtml as e } from './text.ts';

/** Renders one article's page at its permalink; `tagUrl` gives each tag's page. */
export function renderArticlePage(
  config: SiteConfig,
  article: Article,
  feeds: FeedLinks,
  tagUrl: (tag: string) => string,
): string {
  const updated =
    article.updatedAt !== undefined ? ` · Updated ${renderTime(article.updatedAt, config)}` : '';
  const byline =
    article.authors.length > 0 ? ` · By ${renderNames(article.authors, config.language)}` : '';
  const original = article.originalUrl
    ? `<p class="source">First published at <a href="${e(article.originalUrl)}">${e(displayHost(article.originalUrl))}</a>.</p>\n`
    : '';
  // The front-matter image leads the page unless the body already shows it.
  const lead =
    article.image && !article.contentHtml.includes(e(article.image))
      ? `<figure class="lead"><img src="${e(article.image)}" alt=""></figure>\n`
      : '';
  const tags =
    article.tags.length > 0
      ? `<h2 class="meta">Tags</h2>\n<ul class="tags">${article.tags.map((t) => `<li><a rel="tag" href="${e(tagUrl(t))}">${e(t)}</a></li>`).join('')}</ul>\n`
      : '';
  const body = `<main class="wrap">
<article>
<header>
<h1>${e(article.title)}</h1>
<p class="meta">${renderTime(article.publishedAt, config)}${updated}${byline}</p>
${original}</header>
${lead}<div class="content">
${focusableScrollers(article.contentHtml)}
</div>
<footer>
${tags}<p><a href="${e(config.siteUrl)}/">← All articles</a></p>
</footer>
</article>
</main>`;
  const social: Record<string, string | string[]> = {
    'og:type': 'article',
    'og:site_name': config.title,
    'og:title': article.title,
    'og:description': article.summary,
    'og:url': article.permalink,
    ...(article.image ? { 'og:image': article.image } : {}),
    'article:published_time': formatIso(article.publishedAt),
    ...(article.updatedAt !== undefined
      ? { 'article:modified_time': formatIso(article.updatedAt) }
      : {}),
    'article:tag': article.tags,
    'twitter:card': article.image ? 'summary_large_image' : 'summary',
    'twitter:title': article.title,
    'twitter:description': article.summary,
    ...(article.image ? { 'twitter:image': article.image } : {}),
  };
  return renderDocument({
    config,
    title: `${article.title} · ${config.title}`,
    lang: article.language,
    canonical: article.permalink,
    feeds,
    feedTitle: config.title,
    description: article.summary,
    authors: article.authors.map((a) => a.name).join(', '),
    meta: social,
    structuredData: describeArticle(config, article),
    body,
  });
}

const listFormats = new Map<string, Intl.ListFormat>();

/** One list formatter per language: making one costs more than using it. */
function listFormatFor(language: string): Intl.ListFormat {
  let format = listFormats.get(language);
  if (format === undefined) {
    format = new Intl.ListFormat(language, { type: 'conjunction' });
    listFormats.set(language, format);
  }
  return format;
}

/** "Ann Lee, Bo Chen and Cy Diaz", each linked to the author's page (or, with none, their own URL). */
function renderNames(authors: readonly Author[], language: string): string {
  const parts = listFormatFor(language).formatToParts(authors.map((a) => a.name));
  let index = 0;
  return parts
    .map((part) => {
      if (part.type === 'literal') return e(part.value);
      const author = authors[index++];
      const href = author?.page ?? author?.url;
      // HTML §4.6.7.2: rel="author" leads to information about the article's author.
      return href ? `<a rel="author" href="${e(href)}">${e(part.value)}</a>` : e(part.value);
    })
    .join('');
}

/**
 * Code blocks and tables scroll sideways when wider than the screen; `tabindex="0"` lets
 * keyboard users scroll them too (WCAG 2.1.1). The sanitizer leaves these tags without
 * attributes, so the bare tags are all there is to match.
 */
function focusableScrollers(html: string): string {
  return html.replace(/<(pre|table)>/g, '<$1 tabindex="0">');
}
