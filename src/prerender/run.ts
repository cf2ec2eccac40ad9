import { join, resolve } from 'node:path';
import type { ParsedArticle } from '../content/article.ts';
import { ConfigError, parseSiteConfig, type RawVars, readConfigVars } from '../content/config.ts';
import { type BuildLimits, parseBuildLimits } from '../content/limits.ts';
import { listArticleFiles } from '../content/list-articles.ts';
import { formatProblem, type Problem } from '../content/problem.ts';
import { readArticles } from '../content/read-articles.ts';
import type { BuiltSite, SiteConfig } from '../site/types.ts';
import { checkBundleSize } from './bundle-size.ts';
import { buildSite } from './site.ts';
import { renderSiteModule, writeSiteModule } from './site-module.ts';

/** Where the build reads and writes, relative to `root`. */
export interface BuildOptions {
  root: string;
  articlesDir?: string;
  configFile?: string;
  /** Generated module path; omitted, the build only validates. */
  outFile?: string;
  /** The instant that separates published from scheduled articles; defaults to the clock. */
  now?: number;
  /** Replaces `[vars]` from the config file (tests). */
  vars?: RawVars;
}

/** Outcome of a build: the site, or every problem found. */
export type BuildResult =
  | { ok: true; site: BuiltSite; articleCount: number; notes: string[] }
  | { ok: false; messages: string[] };

/**
 * Reads the configuration and articles, validates them, renders every response, and
 * (given `outFile`) writes the generated module atomically: on any problem the previous
 * module stays exactly as it was.
 */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const root = options.root;
  const articlesDir = join(root, options.articlesDir ?? 'articles');
  let config: SiteConfig;
  let limits: BuildLimits;
  try {
    const vars =
      options.vars ?? (await readConfigVars(join(root, options.configFile ?? 'wrangler.toml')));
    config = parseSiteConfig(vars);
    limits = parseBuildLimits(vars);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, messages: [error.message] };
    throw error;
  }

  const listing = await listArticleFiles(root, articlesDir);
  const problems: Problem[] = [...listing.problems];
  const parsed: ParsedArticle[] = [];
  for (const result of await readArticles(listing.files, config, limits)) {
    problems.push(...result.problems);
    if (result.article) parsed.push(result.article);
  }
  // Stable: each file's problems stay in line order.
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (problems.length > 0) return { ok: false, messages: problems.map(formatProblem) };

  const built = buildSite(parsed, config, options.now ?? Date.now());
  if (!built.site) return { ok: false, messages: built.problems.map(formatProblem) };
  const generated = renderSiteModule(built.site);
  const tooBig = await checkBundleSize(generated, limits, parsed.filter((p) => !p.draft).length);
  if (tooBig.length > 0) return { ok: false, messages: tooBig };
  if (options.outFile) await writeSiteModule(generated, resolve(root, options.outFile));
  return {
    ok: true,
    site: built.site,
    articleCount: parsed.filter((p) => !p.draft).length,
    notes: [...listing.notes, ...built.notes],
  };
}
