// Entry modules of the Workers the benchmark bundles (with scripts/support/bundle-worker.ts)
// next to each synthetic site: the bench Worker over the site module the build wrote, and a
// Worker with only the control routes.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/process.ts';

/**
 * The entry of the bench Worker over `site.js` and `naive.json` beside it: the app built the
 * way src/index.ts builds it, and again with EDGE_CACHE = "all" and "off", inside the bench
 * routes of worker.ts.
 */
export function benchEntry(): string {
  const app = join(PROJECT_ROOT, 'src/app.ts');
  const worker = join(PROJECT_ROOT, 'scripts/bench/worker.ts');
  return [
    `import { createApp } from ${JSON.stringify(app)};`,
    `import { createBenchWorker } from ${JSON.stringify(worker)};`,
    `import { site } from './site.js';`,
    `import naive from './naive.json';`,
    "const appAll = createApp({ site: { ...site, config: { ...site.config, edgeCache: 'all' } } });",
    "const appOff = createApp({ site: { ...site, config: { ...site.config, edgeCache: 'off' } } });",
    'export default createBenchWorker({ app: createApp({ site }), appAll, appOff, naive });',
    '',
  ].join('\n');
}

/** The entry of a Worker with only the control routes (startup baseline). */
export function controlEntry(): string {
  const routes = join(PROJECT_ROOT, 'scripts/bench/control-routes.ts');
  return `import { createControlWorker } from ${JSON.stringify(routes)};\nexport default createControlWorker();\n`;
}
