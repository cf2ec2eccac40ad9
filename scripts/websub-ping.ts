// `npm run websub:ping`: after a deploy, tells the WEBSUB_HUB of wrangler.toml that the
// subscribable feeds (site, tags and authors) may have changed.
import { runBuild } from '../src/prerender/run.ts';
import { pingHub } from '../src/prerender/websub-ping.ts';

const result = await runBuild({ root: process.cwd() });
if (!result.ok) {
  for (const message of result.messages) console.error(message);
  process.exit(1);
}
const { config, routes } = result.site;
if (!config.websubHub) {
  console.error('WEBSUB_HUB is not set under [vars] in wrangler.toml: there is no hub to notify.');
  process.exit(1);
}
const feeds = Object.entries(routes)
  .filter(([, versions]) => versions.some((v) => v.link !== undefined))
  .map(([path]) => `${config.siteUrl}${path}`);
const results = await pingHub(config.websubHub, feeds);
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.url} (${r.detail})`);
const failed = results.filter((r) => !r.ok).length;
console.log(
  `${results.length - failed} of ${results.length} feeds announced to ${config.websubHub}.`,
);
process.exit(failed > 0 ? 1 : 0);
