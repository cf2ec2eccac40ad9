import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Article, SiteConfig } from '../site/types.ts';
import { fieldsWithParts } from './articles.ts';
import type { ArticleFragments } from './fragments.ts';

/**
 * Fewer articles to render than this are rendered on the main thread: starting a worker and
 * loading the renderers into it costs about half a second, which a rebuild's few articles
 * would never win back.
 */
export const POOL_MIN_ARTICLES = 2000;

/** Articles sent to a worker at a time: enough to amortize a message, few enough to share the work out evenly. */
const BATCH = 200;

/** What a worker sends back for a batch: the fragments by slug, or the error that stopped it. */
export type RenderedBatch =
  | { rendered: [slug: string, fragments: ArticleFragments][]; error?: undefined }
  | { error: string; rendered?: undefined };

/**
 * Renders the fragments of `articles` on worker threads, one per core
 * (src/prerender/render-worker.ts), while the main thread waits: rendering is pure and per
 * article, about 1.4 ms each, and was the larger half of a cold build's render phase at
 * 20,000 articles. Resolves to the fragments by slug; rejects with the first error a worker
 * met, after stopping them all.
 */
export async function renderInParallel(
  articles: readonly Article[],
  config: SiteConfig,
  threads = availableParallelism(),
): Promise<Map<string, ArticleFragments>> {
  const fragments = new Map<string, ArticleFragments>();
  const batches: Article[][] = [];
  for (let i = 0; i < articles.length; i += BATCH) batches.push(articles.slice(i, i + BATCH));
  const workers = Array.from(
    { length: Math.max(1, Math.min(threads, batches.length)) },
    () =>
      new Worker(new URL('./render-worker.ts', import.meta.url), {
        workerData: { config },
      }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const batch = batches.shift();
              if (batch === undefined) resolve();
              // As plain fields: a structured clone would drop a lazily read body's getter.
              else worker.postMessage(batch.map(fieldsWithParts));
            };
            worker.on('message', (message: RenderedBatch) => {
              if (message.error !== undefined) {
                reject(new Error(message.error));
                return;
              }
              for (const [slug, rendered] of message.rendered) fragments.set(slug, rendered);
              next();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (code !== 0) reject(new Error(`a render worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return fragments;
}
