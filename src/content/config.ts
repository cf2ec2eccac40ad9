import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { slugify } from '../site/slug.ts';
import type { AuthorType, EdgeCacheScope, SiteConfig } from '../site/types.ts';
import { findMarkup } from './plain-text.ts';

/** A configuration problem, phrased as a sentence naming the variable and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /** One error listing every problem found in `[vars]`, one sentence a line. */
  static list(problems: readonly string[]): ConfigError {
    return new ConfigError(
      `Invalid configuration in wrangler.toml [vars]:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Raw `[vars]` as wrangler.toml holds them: strings, numbers or booleans. */
export type RawVars = Record<string, unknown>;

/**
 * Reads the `[vars]` table of a wrangler.toml.
 * @throws ConfigError when the file cannot be read, is not TOML or has no `[vars]`.
 */
export async function readConfigVars(path: string): Promise<RawVars> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(
      `Cannot read ${path}: run the build from the project folder, where wrangler.toml is.`,
    );
  }
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
  const vars = toml.vars;
  if (vars === undefined || typeof vars !== 'object' || vars === null) {
    throw new ConfigError(
      `${path} has no [vars] table: add one with SITE_URL, SITE_TITLE, SITE_AUTHOR and SITE_ID (see README.md).`,
    );
  }
  return vars as RawVars;
}

const CACHE_DEFAULTS = {
  FEED_MAX_AGE: 300,
  FEED_S_MAXAGE: 600,
  PAGE_MAX_AGE: 3600,
  PAGE_S_MAXAGE: 86400,
  ARCHIVE_MAX_AGE: 604800,
  STALE_WHILE_REVALIDATE: 60,
} as const;

/**
 * Validates wrangler.toml `[vars]` into a SiteConfig, collecting every problem.
 * @throws ConfigError listing each invalid variable with its fix.
 */
export function parseSiteConfig(vars: RawVars): SiteConfig {
  const problems: string[] = [];
  const text = (name: string, fallback?: string): string => {
    const value = vars[name];
    if (value === undefined || value === '') {
      if (fallback !== undefined) return fallback;
      problems.push(`${name} is not set: add ${name} = "…" under [vars] in wrangler.toml.`);
      return '';
    }
    if (typeof value !== 'string') {
      problems.push(`${name} must be a string: write it in quotes under [vars] in wrangler.toml.`);
      return '';
    }
    return value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number =>
    readNumberVar(vars, name, fallback, { min, max, integer: true }, (value) => {
      problems.push(
        `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}: fix it under [vars] in wrangler.toml.`,
      );
    });

  const siteUrlRaw = text('SITE_URL');
  let siteUrl = '';
  if (siteUrlRaw) {
    let url: URL | undefined;
    try {
      url = new URL(siteUrlRaw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problems.push(
        `SITE_URL must be an absolute http(s) URL such as "https://news.example", got ${JSON.stringify(siteUrlRaw)}.`,
      );
    } else if (url.search || url.hash || url.username || url.password) {
      problems.push(
        `SITE_URL must not carry a query, fragment or credentials, got ${JSON.stringify(siteUrlRaw)}: use the bare site address.`,
      );
    } else {
      siteUrl = url.href.replace(/\/+$/, '');
    }
  }

  const language = text('SITE_LANGUAGE', 'en');
  if (!isLanguageTag(language)) {
    problems.push(
      `SITE_LANGUAGE must be a BCP 47 language tag such as "en" or "pt-BR", got ${JSON.stringify(language)}.`,
    );
  }

  const siteId = text('SITE_ID');
  if (
    siteId &&
    !/^tag:[a-z0-9.-]+(@[a-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]*$/i.test(siteId)
  ) {
    problems.push(
      `SITE_ID must be an RFC 4151 tag URI prefix such as "tag:news.example,2026:", got ${JSON.stringify(siteId)}: choose it once and never change it, since feed readers use it to recognise items.`,
    );
  }

  const timeZone = text('TIME_ZONE', 'UTC');
  if (!isTimeZone(timeZone)) {
    problems.push(
      `TIME_ZONE must be an IANA time zone such as "UTC" or "Europe/Moscow", got ${JSON.stringify(timeZone)}.`,
    );
  }

  const url = (name: string): string | undefined => {
    const value = text(name, '');
    if (value === '') return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed.href;
    } catch {
      // reported below
    }
    problems.push(
      `${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}: fix it under [vars] in wrangler.toml or remove it.`,
    );
    return undefined;
  };
  const edgeCache = text('EDGE_CACHE', 'computed');
  if (!isEdgeCacheScope(edgeCache)) {
    problems.push(
      `EDGE_CACHE must be "computed" (the Cache API only for answers computed per request), "all" (in front of every route) or "off", got ${JSON.stringify(edgeCache)}.`,
    );
  }

  // Plain text in every format, like article titles (see findMarkup).
  const plainText = (name: string, what: string, fallback?: string): string => {
    const value = text(name, fallback);
    const markup = findMarkup(value, what);
    if (markup) problems.push(`${name}: ${markup.message}. Fix it under [vars] in wrangler.toml.`);
    return value;
  };

  const defaultAuthor = plainText('SITE_AUTHOR', 'author names');
  if (defaultAuthor && slugify(defaultAuthor) === '') {
    problems.push(
      `SITE_AUTHOR must have a letter or digit, to make the URL of its author page from, got ${JSON.stringify(defaultAuthor)}: name the newsroom or the person.`,
    );
  }
  // Person by default: what every byline was before the setting existed, and what a one-person
  // site is; a newsroom or a desk sets "Organization" (schema.org, Google's Article guide).
  const defaultAuthorType = text('SITE_AUTHOR_TYPE', 'Person');
  if (!isAuthorType(defaultAuthorType)) {
    problems.push(
      `SITE_AUTHOR_TYPE must be "Person" or "Organization" (the schema.org type of SITE_AUTHOR in the pages' JSON-LD), got ${JSON.stringify(defaultAuthorType)}: fix it under [vars] in wrangler.toml.`,
    );
  }

  const icon = url('SITE_ICON');
  const logo = url('SITE_LOGO');
  const websubHub = url('WEBSUB_HUB');

  const config: SiteConfig = {
    siteUrl,
    title: plainText('SITE_TITLE', 'titles'),
    description: plainText('SITE_DESCRIPTION', 'feed descriptions', ''),
    language,
    defaultAuthor,
    defaultAuthorType: isAuthorType(defaultAuthorType) ? defaultAuthorType : 'Person',
    siteId,
    feedItemLimit: integer('FEED_ITEM_LIMIT', 20, 1, 500),
    timeZone,
    ...(icon ? { icon } : {}),
    ...(logo ? { logo } : {}),
    ...(websubHub ? { websubHub } : {}),
    queryLimitMax: integer('QUERY_LIMIT_MAX', 100, 1, 1000),
    edgeCache: isEdgeCacheScope(edgeCache) ? edgeCache : 'computed',
    cache: {
      feedMaxAge: integer('FEED_MAX_AGE', CACHE_DEFAULTS.FEED_MAX_AGE, 0, 31536000),
      feedSMaxAge: integer('FEED_S_MAXAGE', CACHE_DEFAULTS.FEED_S_MAXAGE, 0, 31536000),
      pageMaxAge: integer('PAGE_MAX_AGE', CACHE_DEFAULTS.PAGE_MAX_AGE, 0, 31536000),
      pageSMaxAge: integer('PAGE_S_MAXAGE', CACHE_DEFAULTS.PAGE_S_MAXAGE, 0, 31536000),
      archiveMaxAge: integer('ARCHIVE_MAX_AGE', CACHE_DEFAULTS.ARCHIVE_MAX_AGE, 0, 31536000),
      staleWhileRevalidate: integer(
        'STALE_WHILE_REVALIDATE',
        CACHE_DEFAULTS.STALE_WHILE_REVALIDATE,
        0,
        31536000,
      ),
    },
  };
  if (problems.length > 0) throw ConfigError.list(problems);
  return config;
}

/**
 * Reads a number from `[vars]`: a TOML number, or a string of digits (with a decimal fraction
 * unless `integer`). Absent or empty, it is `fallback`; not such a number, or outside `min` to
 * `max`, it is `fallback` too, and `invalid` is told the value, to word the problem.
 */
export function readNumberVar(
  vars: RawVars,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer: boolean },
  invalid: (value: unknown) => void,
): number {
  const value = vars[name];
  if (value === undefined || value === '') return fallback;
  const pattern = range.integer ? /^\d+$/ : /^\d+(?:\.\d+)?$/;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && pattern.test(value.trim())
        ? Number(value)
        : Number.NaN;
  if (
    !Number.isFinite(n) ||
    n < range.min ||
    n > range.max ||
    (range.integer && !Number.isInteger(n))
  ) {
    invalid(value);
    return fallback;
  }
  return n;
}

function isAuthorType(value: string): value is AuthorType {
  return value === 'Person' || value === 'Organization';
}

function isEdgeCacheScope(value: string): value is EdgeCacheScope {
  return value === 'computed' || value === 'all' || value === 'off';
}

/** Whether `tag` is a well-formed BCP 47 language tag. */
export function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
