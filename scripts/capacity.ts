// `node scripts/capacity.ts`: how many articles of about 5 KB the build accepts under the
// bundle limit. Generates articles of English prose, builds them with the real build step and
// its limit check (BUNDLE_LIMIT_MIB), and searches for the largest count that passes; then
// bundles that site with `wrangler deploy --dry-run` for the real sizes and times a cold start
// in workerd. Nothing in the project is written.
//
// Options: --article-bytes N (5000), --limit-mib N (3), --tags N per article (2),
// --max N (100000), --no-verify (skip the wrangler bundle and the cold start).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { formatBytes } from '../src/content/limits.ts';
import { measureBundle } from '../src/prerender/bundle-size.ts';
import { runBuild } from '../src/prerender/run.ts';
import { readGeneratedSite } from '../src/prerender/site-module.ts';
import { bundleWorker, profileStartup } from './support/bundle-worker.ts';
import { startCacheServer } from './support/cache-server.ts';
import { PROJECT_ROOT, readMemoryKiB } from './support/process.ts';
import { createRandom } from './support/random.ts';
import { listModulesBeside, startWorkerd } from './support/workerd.ts';

const { values: args } = parseArgs({
  options: {
    'article-bytes': { type: 'string', default: '5000' },
    'limit-mib': { type: 'string', default: '3' },
    tags: { type: 'string', default: '2' },
    max: { type: 'string', default: '100000' },
    'no-verify': { type: 'boolean', default: false },
  },
});
const articleBytes = Number(args['article-bytes']);
const limitMib = Number(args['limit-mib']);
const tagsPerArticle = Number(args.tags);
const max = Number(args.max);

const VARS = {
  SITE_URL: 'https://news.example',
  SITE_TITLE: 'Capacity News',
  SITE_DESCRIPTION: 'Synthetic articles for the capacity measurement.',
  SITE_AUTHOR: 'Capacity Desk',
  SITE_ID: 'tag:news.example,2026:',
  BUNDLE_LIMIT_MIB: String(limitMib),
};
const NOW = Date.parse('2026-11-27T00:00:00Z');
const TAGS = Array.from(
  { length: 40 },
  (_, i) => `Topic ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}`,
);

const sentences = readCorpus();
console.log(
  `Corpus: ${sentences.length} distinct English sentences from JSDoc prose in node_modules.`,
);

const root = await mkdtemp(join(tmpdir(), 'feed-publisher-capacity-'));
await mkdir(join(root, 'articles'));
try {
  const sample = createArticle(0);
  const sampleBytes = Buffer.byteLength(sample);
  console.log(
    `Articles: ~${articleBytes} bytes of markdown each (sample ${sampleBytes} bytes, gzip alone ${gzipSync(sample).byteLength} bytes), ${tagsPerArticle} tags each from ${TAGS.length}; limit ${limitMib} MiB gzip.`,
  );

  // Grow by doubling until the build refuses, then bisect.
  let fits = 0;
  let refused = 0;
  for (let n = 250; n <= max; n *= 2) {
    if (await probe(n)) fits = n;
    else {
      refused = n;
      break;
    }
  }
  if (refused === 0) refused = max + 1;
  while (refused - fits > Math.max(1, Math.floor(fits / 200))) {
    const n = Math.floor((fits + refused) / 2);
    if (await probe(n)) fits = n;
    else refused = n;
  }
  console.log(
    `\nLargest count that builds under ${limitMib} MiB: ${fits} articles (${refused} are refused).`,
  );

  if (!args['no-verify'] && fits > 0) {
    await syncArticles(fits);
    const outDir = join(root, 'bundle');
    const siteModule = join(outDir, 'site.js');
    await mkdir(outDir);
    const built = await runBuild({ root, vars: VARS, now: NOW, outFile: siteModule });
    if (!built.ok) throw new Error(built.messages.join('\n'));
    const estimate = await measureBundle(await readGeneratedSite(siteModule));
    const bundle = await bundleWorker({ outDir, siteModule });
    console.log(
      `wrangler deploy --dry-run at ${fits}: ${formatBytes(bundle.bytes)} / gzip ${formatBytes(bundle.gzipBytes)} ` +
        `(the build's estimate: ${formatBytes(estimate.bytes)} / gzip ${formatBytes(estimate.gzipBytes)}).`,
    );
    const startup = await profileStartup(bundle, join(outDir, 'startup.cpuprofile'));
    console.log(
      `wrangler check startup: a ${startup.profileMs.toFixed(0)} ms profile, ${startup.busyMs.toFixed(0)} ms of it busy (Cloudflare refuses a Worker whose startup exceeds its limit; local CPUs differ).`,
    );
    await measureColdStart(bundle.file, join(outDir, 'site.assets'));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

/** Builds `n` articles; true when the build accepts them. */
async function probe(n: number): Promise<boolean> {
  await syncArticles(n);
  const started = performance.now();
  const outFile = join(root, 'probe', 'site.js');
  const result = await runBuild({ root, vars: VARS, now: NOW, outFile });
  const ms = Math.round(performance.now() - started);
  if (result.ok) {
    const size = await measureBundle(await readGeneratedSite(outFile));
    console.log(
      `  ${n} articles: fits, about ${formatBytes(size.gzipBytes)} gzip, ${formatBytes(size.bytes)} raw (build ${ms} ms)`,
    );
    return true;
  }
  if (!result.messages.every((m) => m.startsWith('Worker bundle too large')))
    throw new Error(
      `the synthetic site does not build:\n${result.messages.slice(0, 5).join('\n')}`,
    );
  console.log(`  ${n} articles: refused: ${result.messages[0]?.slice(0, 110)}… (build ${ms} ms)`);
  return false;
}

/** Leaves exactly articles 0 … n-1 in the articles folder. */
async function syncArticles(n: number): Promise<void> {
  const dir = join(root, 'articles');
  const present = new Set(await readdir(dir));
  for (let i = 0; i < n; i++) {
    const name = fileName(i);
    if (!present.has(name)) await writeFile(join(dir, name), createArticle(i));
    present.delete(name);
  }
  for (const stale of present) await unlink(join(dir, stale));
}

function fileName(i: number): string {
  return `article-${String(i).padStart(6, '0')}.md`;
}

/** Article i: front matter, then paragraphs of corpus sentences up to about articleBytes. */
function createArticle(i: number): string {
  const random = createRandom(i + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const title = pick(sentences)
    .split(' ')
    .slice(0, 8)
    .join(' ')
    .replace(/[.,;:]$/, '');
  const tags = new Set<string>();
  while (tags.size < tagsPerArticle) tags.add(pick(TAGS));
  const date = new Date(Date.parse('2020-01-01T00:00:00Z') + i * 3_600_000).toISOString();
  let text = `---\ntitle: ${JSON.stringify(`${title} (${i})`)}\ndate: "${date}"\ntags: [${[...tags].map((t) => JSON.stringify(t)).join(', ')}]\n---\n`;
  while (Buffer.byteLength(text) < articleBytes) {
    const paragraph: string[] = [];
    for (let s = 2 + Math.floor(random() * 4); s > 0; s--) paragraph.push(pick(sentences));
    text += `${paragraph.join(' ')}\n\n`;
  }
  return text;
}

/**
 * Sentences of English prose from the JSDoc comments of the larger type declarations in
 * node_modules (TypeScript's DOM and ES libraries, @types/node, …): some thousands of distinct
 * sentences, so that articles rarely repeat one within gzip's 32 KiB window.
 */
function readCorpus(): string[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 6) walk(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.d.ts') && statSync(path).size > 20_000)
        files.push(path);
    }
  };
  walk(join(PROJECT_ROOT, 'node_modules'), 0);
  const found = new Set<string>();
  for (const file of files.sort()) {
    for (const block of readFileSync(file, 'utf8').match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
      const prose = block
        .replace(/```[\s\S]*?```/g, ' ')
        .split('\n')
        .map((line) => line.replace(/^\s*\/?\*+\/?\s?/, ''))
        .filter((line) => !line.startsWith('@'))
        .join(' ')
        .replace(/\{@link(?:code|plain)? ([^}|]+)(?:\|[^}]*)?\}/g, '$1')
        .replace(/`/g, '')
        .replace(/\s+/g, ' ');
      for (const sentence of prose.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
        if (
          sentence.length >= 40 &&
          sentence.length <= 300 &&
          /^[A-Z][^<>{}|#*_[\]\\]+[.!?]$/.test(sentence)
        )
          found.add(sentence);
      }
    }
  }
  return [...found];
}

/**
 * Starts the bundle in workerd, and a Worker of a few bytes beside it for comparison: the
 * difference in startup time is what parsing the bundle costs. Prints the first requests'
 * times, workerd's RSS and the isolate's heap after a full GC (the Workers limit is 128 MB).
 */
async function measureColdStart(file: string, assets: string): Promise<void> {
  const controlDir = await mkdtemp(join(tmpdir(), 'feed-publisher-control-'));
  const cache = await startCacheServer();
  try {
    const control = join(controlDir, 'control.js');
    await writeFile(control, "export default { fetch: () => new Response('ok') };\n");
    const small = await startWorkerd({ ...listModulesBeside(control), cachePort: cache.port });
    const controlMs = small.startupMs;
    await small.stop();
    const worker = await startWorkerd({
      ...listModulesBeside(file, assets),
      cachePort: cache.port,
      inspector: true,
    });
    try {
      const timed = async (path: string): Promise<string> => {
        const t = performance.now();
        const res = await fetch(new URL(path, worker.base));
        await res.arrayBuffer();
        return `${path} ${res.status} in ${Math.round(performance.now() - t)} ms`;
      };
      const requests = [await timed('/feed.json'), await timed('/rss.xml'), await timed('/')];
      const heap = await worker.heapAfterGc();
      console.log(
        `Cold start in workerd: ready after ${Math.round(worker.startupMs)} ms, a ${controlMs.toFixed(0)} ms control Worker aside ` +
          `(about ${Math.round(worker.startupMs - controlMs)} ms for the bundle); then ${requests.join(', ')}.`,
      );
      console.log(
        `Memory: the isolate's heap holds ${formatBytes(heap)} after a full GC; workerd's RSS is ${(readMemoryKiB(worker.pid).rss / 1024).toFixed(0)} MiB.`,
      );
    } finally {
      await worker.stop();
    }
  } finally {
    await cache.close();
    await rm(controlDir, { recursive: true, force: true });
  }
}
