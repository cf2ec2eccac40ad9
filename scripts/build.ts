// Build step: `node scripts/build.ts` (wrangler runs it before `dev` and `deploy`).
// `--check` validates articles/ and the configuration without writing anything; `--no-cache`
// parses and renders every article instead of reusing the build cache.
import { keepCompiledCode } from './support/compile-cache.ts';

keepCompiledCode(process.cwd());
const { runBuild } = await import('../src/prerender/run.ts');

const check = process.argv.includes('--check');
const cache = !process.argv.includes('--no-cache');
const started = performance.now();
const result = await runBuild({
  root: process.cwd(),
  cache,
  ...(check ? {} : { outFile: 'src/generated/site.js' }),
});
if (!result.ok) {
  for (const message of result.messages) console.error(message);
  console.error(
    `\nBuild failed: ${result.messages.length} problem${result.messages.length === 1 ? '' : 's'}. Nothing was written; the last good build stays in place.`,
  );
  process.exit(1);
}
const { site, workerFiles } = result;
const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
for (const note of result.notes) console.log(`note: ${note}`);
const scheduled = site.schedule.length;
console.log(
  `${check ? 'Checked' : 'Built'} ${result.articleCount} article${result.articleCount === 1 ? '' : 's'}` +
    `${scheduled > 0 ? ` (${scheduled} scheduled publication time${scheduled === 1 ? '' : 's'})` : ''}` +
    ` in ${Math.round(performance.now() - started)} ms; build ${site.buildId}` +
    `${result.cache ? `; reused from the build cache: ${result.cache.parse.hits} of ${result.cache.parse.hits + result.cache.parse.misses} parsed files, ${result.cache.render.hits} of ${result.cache.render.hits + result.cache.render.misses} rendered articles` : ''}` +
    `; static assets: ${plural(site.assets.files + workerFiles.files, 'file')} (${plural(site.assets.files, 'settled document')}, ${workerFiles.files} of the Worker's: its bodies in each coding and the query index; ${result.plan === 'Free' ? 'within the Workers Free plan' : 'needs the Workers Paid plan'})` +
    `${check ? '' : `, ${result.assetsKept + workerFiles.kept} kept from the last build`}.`,
);
