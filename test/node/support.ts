// Helpers for the pure tier: build fixture sites in temporary folders and read feeds with real parsers.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { XMLValidator } from 'fast-xml-parser';
import { afterEach } from 'vitest';
import type { RawVars } from '../../src/content/config.ts';
import type { AssetReader } from '../../src/prerender/asset-output.ts';
import { computeBodyEtag } from '../../src/prerender/body-etag.ts';
import { type BuildOptions, runBuild } from '../../src/prerender/run.ts';
import { WORKER_FILES_PREFIX } from '../../src/site/bodies.ts';
import type { BuiltSite, Version } from '../../src/site/types.ts';
import { parseFeedXml } from '../support/feed-xml.ts';
import { type ArticleFixture, FIXTURE_VARS, writeArticles } from '../support/fixtures.ts';

/** The repository root: the folder with wrangler.toml and articles/. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The Atom namespace (RFC 4287 §2). */
export const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** An instant after every fixture date, so that nothing is scheduled. */
export const FIXTURE_NOW = Date.parse('2026-01-01T00:00:00Z');

/** Options for building a fixture site. */
export interface FixtureBuildOptions {
  /** Merged over FIXTURE_VARS. */
  vars?: RawVars;
  now?: number;
}

/** The settled documents of each site a helper here built (kept in memory by `keepAssets`). */
const assetsOfSite = new WeakMap<BuiltSite, AssetReader>();

/**
 * Runs the real build with its settled documents kept in memory, and remembers them with the
 * site, so that `servedAt` and the other readers here see the asset tier as well as the Worker.
 */
export async function runTestBuild(options: BuildOptions): ReturnType<typeof runBuild> {
  // Bodies are pre-compressed only where a test asks (`compress: true`): brotli costs milliseconds a body.
  const result = await runBuild({ keepAssets: true, compress: false, ...options });
  if (result.ok && result.assets) assetsOfSite.set(result.site, result.assets);
  return result;
}

/** The settled documents of a site built by a helper here; throws for any other site. */
export function assetsOf(site: BuiltSite): AssetReader {
  const assets = assetsOfSite.get(site);
  if (!assets) throw new Error('this site was not built by runTestBuild: its assets are unknown');
  return assets;
}

/** The URL paths of the settled documents an asset reader holds, sorted: the Worker's own files under `/_worker/` left out. */
export function settledPaths(assets: AssetReader): string[] {
  return assets
    .paths()
    .filter((path) => !path.startsWith(WORKER_FILES_PREFIX))
    .sort();
}

/** Whether `path` is a settled document, served from the static assets rather than the Worker. */
export function isAsset(site: BuiltSite, path: string): boolean {
  return assetsOf(site).read(path) !== undefined;
}

/** The body served at `path` at instant `at` (default: now); throws when nothing is served there. */
export function bodyServedAt(site: BuiltSite, path: string, at?: number): string {
  const served = servedAt(site, path, at);
  if (!served) throw new Error(`the site serves nothing at ${path}`);
  return served.body;
}

/** An article file `<name>.md` titled NAME, dated `date`, with one real paragraph and more front matter. */
export function createDatedArticle(
  name: string,
  date: string,
  frontMatter: Record<string, unknown> = {},
): ArticleFixture {
  return {
    name: `${name}.md`,
    frontMatter: { title: name.toUpperCase(), date, ...frontMatter },
    body: 'A paragraph of body text with enough words to count as a real paragraph for the summary.',
  };
}

/**
 * Temporary projects for one test file: `project` writes fixture articles into a new folder
 * (removed after each test), `build` runs the real build there at FIXTURE_NOW with FIXTURE_VARS
 * and the given variables over them.
 */
export function useTemporaryProjects(): {
  project: (...args: Parameters<typeof writeArticles>) => Promise<string>;
  build: (root: string, vars?: RawVars, outFile?: string) => ReturnType<typeof runBuild>;
} {
  const folders: string[] = [];
  afterEach(async () => {
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });
  return {
    async project(...args) {
      const root = await writeArticles(...args);
      folders.push(root);
      return root;
    },
    build: (root, vars = {}, outFile) =>
      runTestBuild({
        root,
        vars: { ...FIXTURE_VARS, ...vars },
        now: FIXTURE_NOW,
        ...(outFile ? { outFile } : {}),
      }),
  };
}

/** Builds fixture articles in a fresh temporary folder (removed afterwards) and returns the site. */
export async function buildFixtureSite(
  articles: readonly ArticleFixture[],
  options: FixtureBuildOptions = {},
): Promise<BuiltSite> {
  const root = await writeArticles(articles);
  try {
    const result = await runTestBuild({
      root,
      vars: { ...FIXTURE_VARS, ...options.vars },
      now: options.now ?? FIXTURE_NOW,
    });
    if (!result.ok) throw new Error(`fixture build failed:\n${result.messages.join('\n')}`);
    return result.site;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A response body as the Worker or the asset tier serves it, with its validators. */
export interface Served {
  body: string;
  /** The Worker's ETag, or for an asset the one the Worker would give the same bytes. */
  etag: string;
  /** 0 for an asset: the asset tier sends no Last-Modified. */
  lastModified: number;
  /** Served from the static assets (settled), not the Worker. */
  asset: boolean;
}

/** The response at `path` in force at instant `at` (default FIXTURE_NOW), or undefined. */
export function servedAt(
  site: BuiltSite,
  path: string,
  at: number = FIXTURE_NOW,
): Served | undefined {
  const asset = assetsOfSite.get(site)?.read(path);
  if (asset) {
    if (Object.hasOwn(site.routes, path)) throw new Error(`${path} is both an asset and a route`);
    return {
      body: Buffer.from(asset).toString('utf8'),
      etag: computeBodyEtag([asset]),
      lastModified: 0,
      asset: true,
    };
  }
  let current: Version | undefined;
  for (const version of site.routes[path] ?? [])
    if (version.from === null || version.from <= at) current = version;
  if (!current) return undefined;
  return {
    body: joinParts(site, current.parts),
    etag: current.etag,
    lastModified: current.lastModified,
    asset: false,
  };
}

/** The main feeds and the front page in force at `at`. */
export function servedFeeds(
  site: BuiltSite,
  at?: number,
): Record<'rss' | 'atom' | 'json' | 'index', Served> {
  const get = (path: string): Served => {
    const served = servedAt(site, path, at);
    if (!served) throw new Error(`the site serves nothing at ${path}`);
    return served;
  };
  return { rss: get('/rss.xml'), atom: get('/atom.xml'), json: get('/feed.json'), index: get('/') };
}

/** Every version of every route and every asset, assembled, with its path and media type family. */
export function allServed(
  site: BuiltSite,
): { path: string; type: Version['type']; body: string }[] {
  const routes = Object.entries(site.routes).flatMap(([path, versions]) =>
    versions.map((v) => ({ path, type: v.type, body: joinParts(site, v.parts) })),
  );
  const assets = assetsOfSite.get(site);
  const settled = (assets?.paths() ?? []).map((path) => ({
    path,
    type: typeOfPath(path),
    body: Buffer.from(assets?.read(path) ?? []).toString('utf8'),
  }));
  return [...routes, ...settled];
}

/** The media type family of a document by its path, as the asset tier's `_headers` types it. */
function typeOfPath(path: string): Version['type'] {
  if (path.endsWith('/rss.xml')) return 'rss';
  if (path.endsWith('/atom.xml')) return 'atom';
  if (path.endsWith('/feed.json')) return 'json';
  return 'html';
}

/** Every body the site can ever serve: all versions of all routes, and the not-found page. */
export function allBodies(site: BuiltSite): string[] {
  return [...allServed(site).map((s) => s.body), site.chunks[site.notFound] ?? ''];
}

/** Slugs of the article pages the site serves. */
export function articleSlugs(site: BuiltSite): string[] {
  return [...Object.keys(site.routes), ...(assetsOfSite.get(site)?.paths() ?? [])]
    .filter((path) => path.startsWith('/articles/'))
    .map((path) => decodeURIComponent(path.slice('/articles/'.length)))
    .sort();
}

function joinParts(site: BuiltSite, parts: readonly number[]): string {
  return parts.map((i) => site.chunks[i] ?? '').join('');
}

/** Parses XML with @xmldom/xmldom, throwing on any error or warning. */
export function parseXmlStrict(xml: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml');
}

/** Validates XML with fast-xml-parser and parses it, keeping attributes as `@name`. */
// biome-ignore lint/suspicious/noExplicitAny: parsed XML is shaped by the document, and every field read is asserted
export function parseXmlLoose(xml: string): Record<string, any> {
  const validation = XMLValidator.validate(xml);
  if (validation !== true)
    throw new Error(`fast-xml-parser rejects the document: ${JSON.stringify(validation.err)}`);
  return parseFeedXml(xml);
}

/** Direct child elements of `parent` named `name` (by local name in `namespace` when given). */
export function childElements(parent: Node, name: string, namespace?: string): Element[] {
  const found: Element[] = [];
  for (const node of parent.childNodes) {
    if (!isElement(node)) continue;
    if (
      namespace === undefined
        ? node.nodeName === name
        : node.namespaceURI === namespace && node.localName === name
    )
      found.push(node);
  }
  return found;
}

/** The first direct child element named `name`; throws naming it when there is none. */
export function requireChild(parent: Node, name: string, namespace?: string): Element {
  const child = childElements(parent, name, namespace)[0];
  if (child === undefined) throw new Error(`no <${name}> child of <${parent.nodeName}>`);
  return child;
}

/** Text of the first direct child element named `name`, or undefined when there is none. */
export function childText(parent: Node, name: string, namespace?: string): string | undefined {
  return childElements(parent, name, namespace)[0]?.textContent ?? undefined;
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** Characters XML 1.0 §2.2 forbids (C0 controls but tab, LF, CR; U+FFFE/U+FFFF; lone surrogates). */
export const XML_INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 §2.2 forbids these C0 controls; finding them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
