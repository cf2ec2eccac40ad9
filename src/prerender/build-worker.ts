// A worker thread of src/prerender/build-pool.ts: parses the article files it is sent, or
// renders the fragments of the articles it is sent and hands their bytes back without copying.
import { parentPort, workerData } from 'node:worker_threads';
import { parseArticle } from '../content/article.ts';
import type { Article, SiteConfig } from '../site/types.ts';
import type { BuildAnswer, BuildTask } from './build-pool.ts';
import { type ArticleFragments, renderArticlesFragments } from './fragments.ts';

const config = (workerData as { config: SiteConfig }).config;
const port = parentPort;
if (!port) throw new Error('src/prerender/build-worker.ts runs only as a worker thread');
port.on('message', (task: BuildTask) => {
  try {
    if (task.kind === 'parse') {
      const parsed = task.jobs.map(({ file, bytes }) =>
        parseArticle(file, new Uint8Array(bytes), config),
      );
      port.postMessage({ id: task.id, parsed } satisfies BuildAnswer);
      return;
    }
    const articles = task.articles as Article[];
    // The whole task as one batch: its feed items share a feed document a format.
    const fragments = renderArticlesFragments(articles, config);
    const rendered = articles.map((article, i): [string, ArticleFragments] => [
      article.slug,
      fragments[i] as ArticleFragments,
    ]);
    const buffers = rendered.flatMap(([, f]) =>
      [f.page, f.rss, f.atom, f.json].map((b) => b.buffer),
    );
    port.postMessage({ id: task.id, rendered } satisfies BuildAnswer, buffers as ArrayBuffer[]);
  } catch (error) {
    port.postMessage({
      id: task.id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies BuildAnswer);
  }
});
// A task that cannot be read here has no id to answer under: the error fails the whole pool.
port.on('messageerror', (error) => {
  port.postMessage({ id: -1, error: error.message } satisfies BuildAnswer);
});
