// What Workers Static Assets does with the build's assets folder, written from the platform's
// rules as docs/static-assets.md §1–§4 records them (not from the build's code), so that tests
// can check the `_headers` and `_redirects` the build writes by their effect on real requests.

/** A `_headers` rule: a path pattern, the fields it sets, and the names it removes. */
export interface HeaderRule {
  path: string;
  set: [name: string, value: string][];
  unset: string[];
}

/** A `_redirects` rule. */
export interface RedirectRule {
  from: string;
  to: string;
  status: number;
}

/** Lines the asset tier drops (workers-shared `MAX_LINE_LENGTH`). */
const MAX_LINE_LENGTH = 2000;
/** Rules the asset tier keeps at most (`MAX_HEADER_RULES`); planned for as a hard limit. */
const MAX_HEADER_RULES = 100;

/**
 * Parses `_headers` as `parseHeaders` does (§1): lines trimmed, blank and `#` lines skipped, a
 * line starting with `/` or `scheme://` opens a rule, `Name: value` lines split at the first
 * colon with the name lowercased, a repeated name in one rule joined as `a, b`, `! Name`
 * removes. Throws on what the platform would drop or refuse, since a dropped line is lost
 * silently there: a line over 2,000 characters, a rule without fields, two `*`, over 100 rules.
 * A path given twice keeps only its later block, as `constructHeaders` does.
 */
export function parseHeadersFile(text: string): HeaderRule[] {
  const rules = new Map<string, HeaderRule>();
  let rule: HeaderRule | undefined;
  const close = (): void => {
    if (!rule) return;
    if (rule.set.length === 0 && rule.unset.length === 0)
      throw new Error(`_headers: the rule for ${rule.path} has no header lines`);
    rules.set(rule.path, rule);
  };
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.length > MAX_LINE_LENGTH)
      throw new Error(`_headers:${i + 1}: a line over ${MAX_LINE_LENGTH} characters is dropped`);
    if (/^([^\s]+:\/\/|\/)/.test(line)) {
      close();
      if ((line.match(/\*/g) ?? []).length > 1)
        throw new Error(`_headers:${i + 1}: only one wildcard is allowed per rule`);
      rule = { path: line, set: [], unset: [] };
      continue;
    }
    if (!rule) throw new Error(`_headers:${i + 1}: a header line before any path`);
    if (line.startsWith('! ')) {
      rule.unset.push(line.slice(2).trim().toLowerCase());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`_headers:${i + 1}: expected "Name: value", got ${line}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    if (/\s/.test(name)) throw new Error(`_headers:${i + 1}: a header name has a space: ${name}`);
    const value = line.slice(colon + 1).trim();
    const same = rule.set.find(([n]) => n === name);
    if (same) same[1] = `${same[1]}, ${value}`;
    else rule.set.push([name, value]);
  }
  close();
  if (rules.size > MAX_HEADER_RULES)
    throw new Error(`_headers: ${rules.size} rules, over the ${MAX_HEADER_RULES} supported`);
  return [...rules.values()];
}

/** Parses `_redirects` (§1): `from to [status]`, status 302 by default, a trailing `# comment` allowed. */
export function parseRedirectsFile(text: string): RedirectRule[] {
  const rules: RedirectRule[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\s#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const [from, to, status = '302', ...rest] = line.split(/\s+/);
    if (
      !from ||
      !to ||
      rest.length > 0 ||
      !['200', '301', '302', '303', '307', '308'].includes(status)
    )
      throw new Error(`_redirects:${i + 1}: not "from to [status]": ${line}`);
    if (!rules.some((r) => r.from === from)) rules.push({ from, to, status: Number(status) });
  }
  return rules;
}

/**
 * The anchored expression a rule's path becomes (§1 "Applying"): `*` is a splat that also
 * matches `/`, `:name` one segment. Other characters match themselves.
 */
function ruleExpression(path: string): RegExp {
  const source = path
    .split(/(\*|:[A-Za-z]\w*)/)
    .map((piece) => {
      if (piece === '*') return '(?<splat>.*)';
      if (/^:[A-Za-z]\w*$/.test(piece)) return `(?<${piece.slice(1)}>[^/]+)`;
      return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** The placeholders of `path` filled in from `pattern`, or undefined when it does not match. */
export function matchRule(pattern: string, path: string): Record<string, string> | undefined {
  const match = ruleExpression(pattern).exec(path);
  return match ? { ...match.groups } : undefined;
}

/**
 * The field lines an asset answer carries once `_headers` is applied (§1): every matching rule
 * in file order, its removals first, then its fields; the first rule that sets a name replaces
 * the asset's own field, a later one adds a second field line. Lines, not a `Headers`, so that a
 * field set twice shows.
 */
export function applyHeaderRules(
  rules: readonly HeaderRule[],
  path: string,
  own: readonly [string, string][],
): [string, string][] {
  let lines = own.map(([name, value]): [string, string] => [name.toLowerCase(), value]);
  const setByRule = new Set<string>();
  for (const rule of rules) {
    const params = matchRule(rule.path, path);
    if (!params) continue;
    lines = lines.filter(([name]) => !rule.unset.includes(name));
    for (const [name, template] of rule.set) {
      const value = template.replace(/:(\w+)/g, (all, key: string) => params[key] ?? all);
      if (!setByRule.has(name)) lines = lines.filter(([n]) => n !== name);
      setByRule.add(name);
      lines.push([name, value]);
    }
  }
  return lines;
}

/** The Content-Type the asset tier gives a file by its name (§2: charset only on `text/*`). */
export function assetContentType(file: string): string | undefined {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.xml')) return 'application/xml';
  if (file.endsWith('.json')) return 'application/json';
  return undefined;
}

/** The Cache-Control the asset tier sends when `_headers` sets none (§4). */
export const DEFAULT_ASSET_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

/** The assets folder as the asset tier reads it: files by URL path. */
export interface AssetFiles {
  read(path: string): Uint8Array | undefined;
}

/** What the asset tier answers, or undefined where it has nothing (the router then runs the Worker). */
export type AssetTier = (request: Request) => Promise<Response | undefined>;

/**
 * The asset tier for one build (§1, §4): `_redirects` first, then a file at exactly the
 * request's path, with a content-hash ETag, a 304 for a single matching If-None-Match, 405 for
 * other methods, and `_headers` applied to every answer. `html_handling`'s 307s for other
 * spellings (`.html`, `/index.html`) are left out: the build writes no links to them.
 */
export function createAssetTier(
  files: AssetFiles,
  headersText: string,
  redirectsText: string,
): AssetTier {
  const headerRules = parseHeadersFile(headersText);
  const redirects = parseRedirectsFile(redirectsText);
  const answer = (
    path: string,
    status: number,
    own: [string, string][],
    body?: Uint8Array<ArrayBuffer>,
  ) => {
    const headers = new Headers();
    for (const [name, value] of applyHeaderRules(headerRules, path, own))
      headers.append(name, value);
    return new Response(body ?? null, { status, headers });
  };
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    for (const rule of redirects) {
      const params = matchRule(rule.from, path);
      if (!params) continue;
      const to = rule.to.replace(/:(\w+)/g, (all, key: string) => params[key] ?? all);
      return answer(path, rule.status, [['Location', `${to}${url.search}`]]);
    }
    const found = files.read(path);
    if (!found) return undefined;
    const bytes = new Uint8Array(found);
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(path, 405, []);
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const etag = `"${Buffer.from(hash.subarray(0, 16)).toString('hex')}"`;
    const own: [string, string][] = [
      ['ETag', etag],
      ['Cache-Control', DEFAULT_ASSET_CACHE_CONTROL],
    ];
    // The file that answers the path under auto-trailing-slash (§3): `x/index.html`, `x.html` or a feed's own name.
    const file = path.endsWith('/')
      ? 'index.html'
      : /\.(xml|json)$/.test(path)
        ? path
        : `${path}.html`;
    const type = assetContentType(file);
    if (type) own.unshift(['Content-Type', type]);
    const match = request.headers.get('If-None-Match');
    if (match === etag || match === `W/${etag}`) return answer(path, 304, own);
    return answer(path, 200, own, request.method === 'HEAD' ? undefined : bytes);
  };
}
