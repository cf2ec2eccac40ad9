// A worker thread of src/prerender/render-pool.ts: renders the fragments of the articles it is
// sent, and hands their bytes back without copying them.
import { parentPort, workerData } from 'node:worker_threads';
import type { Article, SiteConfig } from '../site/types.ts';
import { renderArticleFragments } from './fragments.ts';
import type { RenderedBatch } from './render-pool.ts';

const config = (workerData as { config: SiteConfig }).config;
const port = parentPort;
if (!port) throw new Error('src/prerender/render-worker.ts runs only as a worker thread');
port.on('message', (articles: Article[]) => {
  try {
    const rendered: RenderedBatch['rendered'] = articles.map((article) => [
      article.slug,
      renderArticleFragments(article, config),
    ]);
    const buffers = rendered.flatMap(([, f]) =>
      [f.page, f.rss, f.atom, f.json].map((b) => b.buffer),
    );
    port.postMessage({ rendered } satisfies RenderedBatch, buffers as ArrayBuffer[]);
  } catch (error) {
    port.postMessage({
      error: error instanceof Error ? error.message : String(error),
    } satisfies RenderedBatch);
  }
});
