// Opens the pages people read in a real browser: Debian's Chromium (/usr/bin/chromium) driven
// by playwright-core, against the real Worker served as `npm start` serves it (scripts/dev.ts:
// wrangler's dev server, the `[build]` first) on a free local port.
// Checks content, console errors, CSP violations, outside requests, horizontal overflow from
// 320 px up, and axe-core's accessibility rules; writes screenshots to screenshots/.
// Run with `npm run test:browser`; prints "N passed, M failed" and exits non-zero on failure.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { renderArticlePage } from '../src/render/article-page.ts';
import { renderListPage } from '../src/render/list-page.ts';
import type { FeedLinks } from '../src/render/page-layout.ts';
import type { Article, SiteConfig } from '../src/site/types.ts';
import { devServerArgs, prepareWranglerEnv } from './support/bundle-worker.ts';
import { findFreePort, spawnGroup, waitForGroup } from './support/process.ts';

const ROOT = join(import.meta.dirname, '..');
const SCREENSHOTS = join(ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SEED_PATH = '/articles/moscow-rebuffs-armenian-pms-claims-of-betrayal';
const SEED_TITLE = "Moscow Rebuffs Armenian PM's Claims of Betrayal";
const SEED_SENTENCE = 'Kremlin spokesman Dmitry Peskov told reporters.';
const SEED_ORIGINAL =
  'https://www.themoscowtimes.com/2023/09/25/moscow-rebuffs-armenian-pms-claims-of-betrayal-a82557';
// The seed article names no author: SITE_AUTHOR's page lists it.
const AUTHOR_PATH = '/authors/the-dispatch-newsroom/';
// Pages rendered here by the same renderers and served under the Worker's CSP: the seed site has
// one short article, so neither long words nor paging would otherwise be seen.
const STRESS_PATH = '/__browser-test/long-words';
const ARCHIVE_PATH = '/__browser-test/tags/news/archive/2/';

const VIEWPORTS = [
  { name: '320', width: 320, height: 640 },
  { name: '390', width: 390, height: 844 },
  { name: '1280', width: 1280, height: 800 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

interface PageCase {
  name: string;
  path: string;
  status: number;
  /** Content checks beyond the common ones; throws on failure. */
  check: (page: Page) => Promise<void>;
}

interface Observed {
  consoleErrors: string[];
  cspViolations: string[];
  outsideRequests: string[];
}

const results: { name: string; error?: string }[] = [];

/** Runs one named check and records its outcome. */
async function test(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    results.push({ name });
    console.log(`ok   ${name}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name, error: message });
    console.log(`FAIL ${name}\n     ${message.replace(/\n/g, '\n     ')}`);
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * A list page's three subscribe buttons are visible and lead to the feeds at `base` (a path
 * ending in `/`), and its head has exactly one autodiscovery link for each, to the same feed.
 */
async function assertSubscribeLinks(page: Page, base: string): Promise<void> {
  for (const [label, file, type] of [
    ['RSS', 'rss.xml', 'application/rss+xml'],
    ['Atom', 'atom.xml', 'application/atom+xml'],
    ['JSON Feed', 'feed.json', 'application/feed+json'],
  ] as const) {
    const link = page.locator('.subscribe').getByRole('link', { name: label, exact: true });
    assert(await link.isVisible(), `the ${label} subscribe link is not visible`);
    const href = await link.getAttribute('href');
    assert(
      href?.endsWith(`${base}${file}`),
      `the ${label} link leads to ${href}, not ${base}${file}`,
    );
    const discovered = page.locator(`head link[rel=alternate][type="${type}"]`);
    assert(
      (await discovered.count()) === 1,
      `${await discovered.count()} autodiscovery links for ${type}`,
    );
    const target = await discovered.getAttribute('href');
    assert(target?.endsWith(`${base}${file}`), `autodiscovery for ${type} leads to ${target}`);
  }
}

/** A running `npm start` (scripts/dev.ts), in a process group of its own so that it can be stopped whole. */
interface DevServer {
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
}

async function startWorker(): Promise<DevServer> {
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  // Its own Cache API state, so that a running `npm start` and this test never share entries.
  const persist = await mkdtemp(join(tmpdir(), 'feed-publisher-browser-'));
  const server = spawnGroup(process.execPath, devServerArgs({ port, persist, logLevel: 'warn' }), {
    cwd: ROOT,
    env: {
      ...process.env,
      // The [build] step runs `node scripts/build.ts`: the project's Node 24, not the system's.
      PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      ...(await prepareWranglerEnv(persist)),
    },
  });
  const stop = async (): Promise<void> => {
    await server.stop();
    await rm(persist, { recursive: true, force: true });
  };
  try {
    await waitForGroup(
      server,
      `npm start (scripts/dev.ts) answering at ${origin}/`,
      120_000,
      async () =>
        (await fetch(`${origin}/`, { signal: AbortSignal.timeout(2_000) })).status === 200,
      500,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, output: server.output, stop };
}

/** Opens a context in the given colour scheme, watching console, CSP and outside requests. */
async function openPage(
  browser: Browser,
  origin: string,
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark',
): Promise<{ context: BrowserContext; page: Page; observed: Observed }> {
  const context = await browser.newContext({
    viewport,
    colorScheme,
    deviceScaleFactor: 1,
    javaScriptEnabled: true,
  });
  const observed: Observed = { consoleErrors: [], cspViolations: [], outsideRequests: [] };
  const page = await context.newPage();
  // Init scripts come from DevTools, not the page, so the CSP does not block them.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sample})`,
      );
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) observed.cspViolations.push(text);
    else if (message.type() === 'error' || message.type() === 'warning')
      observed.consoleErrors.push(`${message.type()}: ${text} [${message.location().url}]`);
  });
  page.on('pageerror', (error) => observed.consoleErrors.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      observed.consoleErrors.push(`response: ${response.status()} ${response.url()}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:'))
      observed.outsideRequests.push(url);
  });
  return { context, page, observed };
}

async function cspViolationsOf(page: Page, observed: Observed): Promise<string[]> {
  // Reports are dispatched as tasks; give them a moment to arrive.
  await page.waitForTimeout(100);
  const fromEvents = await page.evaluate(
    () => (globalThis as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
  );
  return [...fromEvents, ...observed.cspViolations];
}

async function overflowOf(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return undefined;
    const wide = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
      .slice(0, 5)
      .map(
        (el) =>
          `<${el.tagName.toLowerCase()}${el.className ? ` class="${String(el.className)}"` : ''}> right=${Math.round(el.getBoundingClientRect().right)}`,
      );
    return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}: ${wide.join(', ')}`;
  });
}

async function axeViolationsOf(page: Page, axeSource: string): Promise<string[]> {
  // Evaluated through DevTools, which the page's CSP does not govern (an inline <script> would be refused).
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (
      globalThis as unknown as {
        axe: { run: (context: Document, options: object) => Promise<AxeResults> };
      }
    ).axe.run(document, {
      resultTypes: ['violations'],
    }),
  );
  return results.violations.map(
    (v) =>
      `${v.impact ?? 'unknown'}: ${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join('; ')})`,
  );
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

function createConfig(origin: string): SiteConfig {
  return {
    siteUrl: origin,
    title: 'The Dispatch',
    description: 'Stress page for the browser test.',
    language: 'en',
    defaultAuthor: 'Desk',
    defaultAuthorType: 'Organization',
    siteId: 'tag:dispatch.example,2026:',
    feedItemLimit: 20,
    timeZone: 'UTC',
    queryLimitMax: 100,
    edgeCache: 'computed',
    cache: {
      feedMaxAge: 0,
      feedSMaxAge: 0,
      pageMaxAge: 0,
      pageSMaxAge: 0,
      archiveMaxAge: 0,
      staleWhileRevalidate: 0,
    },
  };
}

/** A tag's archive page: several articles and links to newer and older pages. */
function renderArchivePage(origin: string): string {
  const base = `${origin}/__browser-test/tags/news`;
  const articles: Article[] = Array.from({ length: 4 }, (_, i) => ({
    slug: `day-${i + 1}`,
    id: `tag:dispatch.example,2026:day-${i + 1}`,
    permalink: `${origin}/articles/day-${i + 1}`,
    title:
      [
        'Central bank holds rates',
        'Storm closes the northern ports for a second day running',
        'Parliament passes the budget',
        'Rail strike ends',
      ][i] ?? '',
    publishedAt: Date.parse('2024-05-10T08:00:00Z') - i * 86_400_000,
    summary:
      'A summary long enough to wrap onto a second line on a phone, as most summaries written for feed readers do.',
    contentHtml: '<p>Body.</p>',
    authors: [{ name: 'Desk' }],
    tags: ['news'],
    language: 'en',
  }));
  return renderListPage({
    config: createConfig(origin),
    heading: 'The Dispatch · news · page 2',
    description: 'Articles tagged “news”.',
    articles,
    feeds: { rss: `${base}/rss.xml`, atom: `${base}/atom.xml`, json: `${base}/feed.json` },
    canonical: `${origin}${ARCHIVE_PATH}`,
    newer: `${base}/`,
    older: `${base}/archive/1/`,
  });
}

/** An article whose words, links, code and table are wider than a phone. */
function renderStressPage(origin: string): string {
  const config = createConfig(origin);
  const longUrl = `https://example.org/${'very-long-path-segment-'.repeat(8)}end?query=${'x'.repeat(60)}`;
  const article: Article = {
    slug: 'long-words',
    id: 'tag:dispatch.example,2026:long-words',
    permalink: `${origin}${STRESS_PATH}`,
    title:
      'Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft and Pneumonoultramicroscopicsilicovolcanoconiosis',
    publishedAt: Date.parse('2024-05-01T10:00:00Z'),
    updatedAt: Date.parse('2024-05-02T10:00:00Z'),
    summary: 'Long words, URLs, code and tables must stay inside a 320 px screen.',
    contentHtml: [
      `<p>A bare link: <a href="${longUrl}">${longUrl}</a>.</p>`,
      `<p>A long word: ${'Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz'.repeat(2)}.</p>`,
      '<p>Inline code: <code>const aVeryLongIdentifierName = anotherVeryLongFunctionName(argumentNumberOne);</code></p>',
      '<pre><code>function example() { return "a line of code that is much wider than any phone screen can show at once"; }</code></pre>',
      `<table><thead><tr>${Array.from({ length: 8 }, (_, i) => `<th>Column heading ${i + 1}</th>`).join('')}</tr></thead><tbody><tr>${Array.from({ length: 8 }, (_, i) => `<td>value ${i + 1}</td>`).join('')}</tr></tbody></table>`,
      '<blockquote><p>A quotation with a long word: Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch.</p></blockquote>',
    ].join('\n'),
    authors: [{ name: 'Ann Lee', url: 'https://ann.example/' }, { name: 'Bo Chen' }],
    tags: ['long words', 'layout'],
    language: 'en',
    originalUrl: longUrl,
  };
  const feeds: FeedLinks = {
    rss: `${origin}/rss.xml`,
    atom: `${origin}/atom.xml`,
    json: `${origin}/feed.json`,
  };
  return renderArticlePage(
    config,
    article,
    feeds,
    (tag) => `${origin}/tags/${encodeURIComponent(tag)}/`,
  );
}

const CASES: PageCase[] = [
  {
    name: 'article page',
    path: SEED_PATH,
    status: 200,
    check: async (page) => {
      assert(
        (await textOf(page, 'article h1')) === SEED_TITLE,
        `h1 is ${JSON.stringify(await textOf(page, 'article h1'))}`,
      );
      assert(
        (await page.title()).startsWith(SEED_TITLE),
        `title is ${JSON.stringify(await page.title())}`,
      );
      assert(
        (await textOf(page, 'article .content')).includes(SEED_SENTENCE),
        'the body text is missing',
      );
      assert(
        (await page.getAttribute('html', 'lang')) === 'en',
        'html lang is not the article language',
      );
      const time = await page.getAttribute('article time', 'datetime');
      assert(time === '2023-09-25T00:00:00.000Z', `time datetime is ${time}`);
      const source = page.locator(`article a[href="${SEED_ORIGINAL}"]`);
      assert(await source.first().isVisible(), 'the link to the original source is not visible');
      const canonical = await page.getAttribute('link[rel=canonical]', 'href');
      assert(canonical?.endsWith(SEED_PATH), `canonical is ${canonical}`);
      const og = await page.getAttribute('meta[property="og:title"]', 'content');
      assert(og === SEED_TITLE, `og:title is ${og}`);
      assert(
        (await page.getAttribute('meta[property="og:type"]', 'content')) === 'article',
        'og:type is not article',
      );
      assert(
        (await page.getAttribute('meta[name="twitter:card"]', 'content')) !== null,
        'no twitter:card',
      );
      const ld = JSON.parse(
        (await page.locator('script[type="application/ld+json"]').textContent()) ?? 'null',
      );
      assert(
        ld?.['@type'] === 'Article' && ld.headline === SEED_TITLE,
        `JSON-LD is ${JSON.stringify(ld)}`,
      );
      assert(
        ld.datePublished === '2023-09-25T00:00:00.000Z' &&
          ld.dateModified === '2023-09-25T00:00:00.000Z',
        'JSON-LD dates are wrong',
      );
      assert(
        ld.publisher?.name === 'The Dispatch' && ld.author?.[0]?.name,
        'JSON-LD publisher or author is missing',
      );
      assert(
        ld.mainEntityOfPage?.['@id'] === canonical,
        'JSON-LD mainEntityOfPage is not the canonical URL',
      );
      const byline = page.locator('article header a[rel=author]');
      assert(
        (await byline.count()) === 1 && (await byline.isVisible()),
        'the byline has no visible rel=author link',
      );
      assert(
        (await byline.getAttribute('href'))?.endsWith(AUTHOR_PATH),
        `the byline leads to ${await byline.getAttribute('href')}`,
      );
    },
  },
  {
    name: 'author page',
    path: AUTHOR_PATH,
    status: 200,
    check: async (page) => {
      assert(
        (await textOf(page, 'main h1')) === 'The Dispatch · The Dispatch newsroom',
        `h1 is ${await textOf(page, 'main h1')}`,
      );
      assert(
        (await page.locator('ol.articles > li h2 a').first().textContent()) === SEED_TITLE,
        'the seed article is not listed',
      );
      await assertSubscribeLinks(page, AUTHOR_PATH);
      // The header's Subscribe link stays on this page, at its own feeds (SITE_URL's origin, not this server's: not clicked).
      const subscribe = await page
        .getByRole('navigation', { name: 'Site' })
        .getByRole('link', { name: 'Subscribe' })
        .getAttribute('href');
      assert(
        subscribe?.endsWith(`${AUTHOR_PATH}#subscribe`),
        `the header's Subscribe link leads to ${subscribe}`,
      );
    },
  },
  {
    name: 'index page',
    path: '/',
    status: 200,
    check: async (page) => {
      assert(
        (await textOf(page, 'main h1')) === 'The Dispatch',
        `h1 is ${await textOf(page, 'main h1')}`,
      );
      const first = page.locator('ol.articles > li').first();
      assert(
        (await first.locator('h2 a').textContent()) === SEED_TITLE,
        'the seed article is not listed first',
      );
      assert(
        (await first.locator('time').getAttribute('datetime')) === '2023-09-25T00:00:00.000Z',
        'the listed article has no date',
      );
      assert(
        ((await first.locator('p:not(.meta)').textContent()) ?? '').length > 40,
        'the listed article has no summary',
      );
      await assertSubscribeLinks(page, '/');
      assert(
        /feed reader/i.test(await textOf(page, '.subscribe')),
        'no help on what a feed reader is',
      );
    },
  },
  {
    name: '404 page',
    path: '/no-such-page',
    status: 404,
    check: async (page) => {
      assert(
        (await textOf(page, 'main h1')) === 'Page not found',
        `h1 is ${await textOf(page, 'main h1')}`,
      );
      assert(
        await page.getByRole('link', { name: 'front page' }).isVisible(),
        'no link to the front page',
      );
    },
  },
  {
    name: 'long-words page',
    path: STRESS_PATH,
    status: 200,
    check: async (page) => {
      assert(
        (await textOf(page, 'article h1')).startsWith('Donaudampf'),
        'the stress page did not render',
      );
    },
  },
  {
    name: 'archive page',
    path: ARCHIVE_PATH,
    status: 200,
    check: async (page) => {
      assert(
        (await page.locator('ol.articles > li').count()) === 4,
        'the archive page does not list four articles',
      );
      assert(
        await page.getByRole('link', { name: 'Newer articles' }).isVisible(),
        'no visible link to newer articles',
      );
      assert(
        await page.getByRole('link', { name: 'Older articles' }).isVisible(),
        'no visible link to older articles',
      );
    },
  },
];

async function main(): Promise<number> {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  const stopOnSignal = (): void => {
    void Promise.all([browser?.close(), server?.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const axeSource = await readFile(
      createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
      'utf8',
    );
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await startWorker();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const origin = server.origin;
    console.log(`Chromium ${browser.version()} against npm start (scripts/dev.ts) at ${origin}`);
    // The Worker's own CSP, for the stress page that the Worker does not serve.
    const csp = (await fetch(`${origin}${SEED_PATH}`)).headers.get('content-security-policy') ?? '';
    const rendered = new Map([
      [STRESS_PATH, renderStressPage(origin)],
      [ARCHIVE_PATH, renderArchivePage(origin)],
    ]);

    await test('article pages carry a CSP that allows only the hashed stylesheet', async () => {
      assert(
        /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/.test(csp),
        `CSP is ${JSON.stringify(csp)}`,
      );
    });

    for (const pageCase of CASES) {
      for (const scheme of SCHEMES) {
        for (const viewport of VIEWPORTS) {
          const { context, page, observed } = await openPage(browser, origin, viewport, scheme);
          const shot = join(
            SCREENSHOTS,
            `${pageCase.name.replace(/\W+/g, '-')}-${viewport.name}-${scheme}.png`,
          );
          const body = rendered.get(pageCase.path);
          if (body !== undefined) {
            await page.route(`${origin}${pageCase.path}`, (route) =>
              route.fulfill({
                status: 200,
                headers: {
                  'content-type': 'text/html; charset=utf-8',
                  'content-security-policy': csp,
                },
                body,
              }),
            );
          }
          const label = `${pageCase.name} (${viewport.width}px, ${scheme})`;
          try {
            const response = await page.goto(`${origin}${pageCase.path}`, { waitUntil: 'load' });
            await test(`${label}: answers ${pageCase.status} with the expected content`, async () => {
              assert(response?.status() === pageCase.status, `status ${response?.status()}`);
              await pageCase.check(page);
            });
            await test(`${label}: no console errors, CSP violations or outside requests`, async () => {
              const violations = await cspViolationsOf(page, observed);
              const expected = (m: string): boolean =>
                // The 404 page's own status is the intended answer.
                pageCase.status === 404 &&
                (m === `response: 404 ${origin}${pageCase.path}` ||
                  m.includes(`status of 404 (Not Found) [${origin}${pageCase.path}]`));
              const errors = observed.consoleErrors.filter((m) => !expected(m));
              const problems = [
                ...errors,
                ...violations.map((v) => `CSP: ${v}`),
                ...observed.outsideRequests.map((u) => `request: ${u}`),
              ];
              assert(problems.length === 0, problems.join('\n'));
            });
            await test(`${label}: follows the ${scheme} colour scheme`, async () => {
              const [r, g, b] =
                (await page.evaluate(() => getComputedStyle(document.body).backgroundColor))
                  .match(/\d+/g)
                  ?.map(Number) ?? [];
              const lightness = ((r ?? 0) + (g ?? 0) + (b ?? 0)) / 3;
              assert(
                scheme === 'dark' ? lightness < 64 : lightness > 192,
                `body background is rgb(${r}, ${g}, ${b})`,
              );
            });
            await test(`${label}: nothing overflows horizontally`, async () => {
              const overflow = await overflowOf(page);
              assert(overflow === undefined, overflow ?? '');
            });
            if (viewport.name !== '390') {
              await test(`${label}: axe-core finds no serious or critical violations`, async () => {
                const found = await axeViolationsOf(page, axeSource);
                for (const v of found) console.log(`     note: ${v}`);
                const blocking = found.filter(
                  (v) => v.startsWith('serious') || v.startsWith('critical'),
                );
                assert(blocking.length === 0, blocking.join('\n'));
              });
            }
            await page.screenshot({ path: shot, fullPage: true });
            if (pageCase.path === SEED_PATH && viewport.name === '1280' && scheme === 'light') {
              await page.screenshot({ path: join(SCREENSHOTS, 'article-page.png') });
            }
          } finally {
            await context.close();
          }
        }
      }
    }

    await test('the CSP check sees a deliberate violation (the detector works)', async () => {
      const { context, page, observed } = await openPage(
        browser as Browser,
        origin,
        VIEWPORTS[2],
        'light',
      );
      try {
        await page.goto(`${origin}${SEED_PATH}`);
        await page.evaluate(() => {
          const style = document.createElement('style');
          style.textContent = 'body{outline:1px solid red}';
          document.head.append(style);
        });
        const violations = await cspViolationsOf(page, observed);
        assert(
          violations.some((v) => /style-src/.test(v)),
          `no violation reported: ${JSON.stringify(violations)}`,
        );
      } finally {
        await context.close();
      }
    });
  } catch (error) {
    results.push({ name: 'browser test run', error: String(error) });
    console.log(
      `FAIL browser test run\n     ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    if (server) console.log(server.output());
  } finally {
    await browser?.close();
    await server?.stop();
  }
  const failed = results.filter((r) => r.error !== undefined).length;
  console.log(`\nScreenshots in ${SCREENSHOTS}/`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
