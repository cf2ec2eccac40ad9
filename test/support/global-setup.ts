// Builds the real site (src/generated/site.js, imported by the Worker) and the fixture sites
// (test/generated/*.js) before any test runs: the vitest plugin does not run wrangler's [build].
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawVars } from '../../src/content/config.ts';
import { runBuild } from '../../src/prerender/run.ts';
import { FIXTURE_SITES, type FixtureSiteName } from './fixture-sites.ts';
import {
  ARCHIVED_ARTICLES,
  ARCHIVED_VARS,
  type ArticleFixture,
  FIXTURE_VARS,
  HOSTILE_ARTICLES,
  PAGED_ARTICLES,
  PAGED_VARS,
  SCHEDULED_ARTICLES,
  SCHEDULED_BUILD_NOW,
  SCHEDULED_PAGES_ARTICLES,
  SCHEDULED_PAGES_VARS,
  writeArticles,
} from './fixtures.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

export default async function setup(): Promise<void> {
  const real = await runBuild({ root: projectRoot, outFile: 'src/generated/site.js' });
  if (!real.ok) throw new Error(`the build of articles/ failed:\n${real.messages.join('\n')}`);
  const fixtures: {
    name: FixtureSiteName;
    articles: ArticleFixture[];
    now: number;
    vars: RawVars;
  }[] = [
    {
      name: 'hostile',
      articles: HOSTILE_ARTICLES,
      now: Date.parse('2026-01-01T00:00:00Z'),
      vars: FIXTURE_VARS,
    },
    {
      name: 'scheduled',
      articles: SCHEDULED_ARTICLES,
      now: SCHEDULED_BUILD_NOW,
      vars: FIXTURE_VARS,
    },
    {
      name: 'paged',
      articles: PAGED_ARTICLES,
      now: Date.parse('2026-01-01T00:00:00Z'),
      vars: PAGED_VARS,
    },
    {
      name: 'archived',
      articles: ARCHIVED_ARTICLES,
      now: Date.parse('2026-01-01T00:00:00Z'),
      vars: ARCHIVED_VARS,
    },
    {
      name: 'scheduled-pages',
      articles: SCHEDULED_PAGES_ARTICLES,
      now: SCHEDULED_BUILD_NOW,
      vars: SCHEDULED_PAGES_VARS,
    },
  ];
  // vitest.config.ts gives the worker tier one assets binding per name in FIXTURE_SITES.
  const built = fixtures.map((f) => f.name).sort();
  if (built.join() !== [...FIXTURE_SITES].sort().join())
    throw new Error(
      `global-setup builds ${built.join(', ')}, but FIXTURE_SITES names ${FIXTURE_SITES.join(', ')}`,
    );
  for (const fixture of fixtures) {
    const root = await writeArticles(fixture.articles);
    const result = await runBuild({
      root,
      vars: fixture.vars,
      now: fixture.now,
      outFile: join(projectRoot, 'test', 'generated', `${fixture.name}.js`),
    });
    await rm(root, { recursive: true, force: true });
    if (!result.ok)
      throw new Error(`fixture ${fixture.name} failed to build:\n${result.messages.join('\n')}`);
  }
}

// `node test/support/global-setup.ts` builds the same modules, so that the type check
// before the tests sees them on a fresh clone.
if (import.meta.main) await setup();
