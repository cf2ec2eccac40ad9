import { enableCompileCache } from 'node:module';
import { join, resolve } from 'node:path';
import { defaultCacheDir } from '../../src/prerender/build-cache.ts';

/**
 * Keeps V8's compiled code of the modules loaded after this call in `compile/` of the build
 * cache's folder (FEED_PUBLISHER_CACHE_DIR, else `node_modules/.cache/feed-publisher/` under
 * `root`, as src/prerender/run.ts resolves it), for the next build: loading the build's modules
 * is about a tenth of a rebuild that finds everything in the build cache. Node checks each entry
 * against its source, so an edited module is compiled afresh. Call it before importing the build
 * (a dynamic import), since static imports load first.
 */
export function keepCompiledCode(root: string): void {
  const cacheDir = process.env.FEED_PUBLISHER_CACHE_DIR || defaultCacheDir(root);
  enableCompileCache(join(resolve(root, cacheDir), 'compile'));
}
