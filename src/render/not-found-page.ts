import type { SiteConfig } from '../site/types.ts';
import { type FeedLinks, renderDocument } from './page-layout.ts';
import { escapeHtml as e } from './text.ts';

/** Renders the page people see for an unknown address. */
export function renderNotFoundPage(config: SiteConfig, feeds: FeedLinks): string {
  const body = `<main class="wrap">
<h1>Page not found</h1>
<p>There is nothing at this address. The link may be mistyped, or the page may have moved.</p>
<p>The <a href="${e(config.siteUrl)}/">front page</a> lists every article, newest first.</p>
</main>`;
  return renderDocument({
    config,
    title: `Page not found · ${config.title}`,
    lang: config.language,
    feeds,
    feedTitle: config.title,
    robots: 'noindex',
    body,
  });
}
