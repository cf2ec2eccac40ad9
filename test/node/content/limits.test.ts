import { gzipSync } from 'node:zlib';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleWorker } from '../../../scripts/support/bundle-worker.ts';
import type { RawVars } from '../../../src/content/config.ts';
import {
  checkArticleSize,
  DEFAULT_BUNDLE_LIMIT_MIB,
  DEFAULT_MAX_ARTICLE_BYTES,
  formatBytes,
  gzipLength,
  measureBundle,
  parseBuildLimits,
  WORKER_CODE_ALLOWANCE,
} from '../../../src/content/limits.ts';
import { readGeneratedSite, runBuild } from '../../../src/prerender/run.ts';
import { createArticle, FIXTURE_VARS, PAGED_ARTICLES, writeArticles } from '../../support/fixtures.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function project(...args: Parameters<typeof writeArticles>): Promise<string> {
  const root = await writeArticles(...args);
  folders.push(root);
  return root;
}

async function build(root: string, vars: RawVars = {}, outFile?: string) {
  return runBuild({ root, vars: { ...FIXTURE_VARS, ...vars }, now: NOW, ...(outFile ? { outFile } : {}) });
}

/** An article body of about `bytes` bytes of prose. */
function proseOf(bytes: number): string {
  const sentence = 'The council met again on Tuesday to discuss the budget and the new tram line. ';
  return `${sentence.repeat(Math.ceil(bytes / sentence.length))}\n`;
}

describe('article size', () => {
  it('refuses an article over MAX_ARTICLE_BYTES with file, line, size, limit and the fix', async () => {
    const root = await project([createArticle({ name: 'big.md', body: proseOf(5000) }), createArticle({ name: 'small.md' })]);
    const result = await build(root, { MAX_ARTICLE_BYTES: '4096' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const size = (await stat(join(root, 'articles', 'big.md'))).size;
    expect(result.messages).toEqual([
      `articles/big.md:1: size: ${formatBytes(size)} (${size} bytes) is over the 4.0 KiB limit (MAX_ARTICLE_BYTES = 4096): split it into several articles or link large media by URL instead of embedding it, or raise MAX_ARTICLE_BYTES under [vars] in wrangler.toml`,
    ]);
  });

  it('lists a too-large article together with the other articles’ problems', async () => {
    const root = await project([
      createArticle({ name: 'big.md', body: proseOf(5000) }),
      { name: 'bad-date.md', body: '---\ntitle: Bad date\ndate: 25/09/23\n---\nBody text.\n' },
    ]);
    const result = await build(root, { MAX_ARTICLE_BYTES: '4096' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages.map((m) => m.split(': ').slice(0, 2).join(': '))).toEqual(['articles/bad-date.md:3: date', 'articles/big.md:1: size']);
  });

  it('accepts an article of exactly MAX_ARTICLE_BYTES', async () => {
    const root = await project([createArticle({ name: 'exact.md', body: proseOf(2000) })]);
    const size = (await stat(join(root, 'articles', 'exact.md'))).size;
    expect((await build(root, { MAX_ARTICLE_BYTES: String(size) })).ok).toBe(true);
    expect((await build(root, { MAX_ARTICLE_BYTES: String(size - 1) })).ok).toBe(false);
  });

  it('allows 1 MiB by default and refuses one byte more, without parsing it', async () => {
    expect(parseBuildLimits({}).maxArticleBytes).toBe(DEFAULT_MAX_ARTICLE_BYTES);
    expect(DEFAULT_MAX_ARTICLE_BYTES).toBe(1024 * 1024);
    const header = '---\ntitle: "Huge"\ndate: "2024-03-01"\n---\n';
    const root = await project([]);
    await writeFile(join(root, 'articles', 'huge.md'), header + 'x'.repeat(DEFAULT_MAX_ARTICLE_BYTES + 1 - header.length));
    const started = performance.now();
    const result = await build(root);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.messages[0]).toMatch(/^articles\/huge\.md:1: size: 1\.00 MiB \(1048577 bytes\) is over the 1\.00 MiB limit/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('returns nothing for a file within the limit', () => {
    expect(checkArticleSize('articles/x.md', 10, parseBuildLimits({}))).toBeUndefined();
  });
});

describe('limit variables', () => {
  it('reads MAX_ARTICLE_BYTES and BUNDLE_LIMIT_MIB as strings or numbers, with defaults', () => {
    expect(parseBuildLimits({})).toEqual({ maxArticleBytes: 1048576, bundleLimitMib: DEFAULT_BUNDLE_LIMIT_MIB });
    expect(parseBuildLimits({ MAX_ARTICLE_BYTES: '2048', BUNDLE_LIMIT_MIB: '10' })).toEqual({ maxArticleBytes: 2048, bundleLimitMib: 10 });
    expect(parseBuildLimits({ MAX_ARTICLE_BYTES: 4096, BUNDLE_LIMIT_MIB: 2.5 })).toEqual({ maxArticleBytes: 4096, bundleLimitMib: 2.5 });
  });

  it('refuses invalid values with one sentence per variable naming it and the fix', async () => {
    const root = await project([createArticle()]);
    const result = await build(root, { MAX_ARTICLE_BYTES: '1MB', BUNDLE_LIMIT_MIB: '0' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages).toEqual([
      [
        'Invalid configuration in wrangler.toml [vars]:',
        '  - MAX_ARTICLE_BYTES must be a whole number of bytes from 1024 to 67108864, got "1MB": fix it under [vars] in wrangler.toml or remove it for the default.',
        '  - BUNDLE_LIMIT_MIB must be a number of MiB above 0 and at most 64, such as "3" or "10", got "0": fix it under [vars] in wrangler.toml or remove it for the default.',
      ].join('\n'),
    ]);
    expect(() => parseBuildLimits({ BUNDLE_LIMIT_MIB: '65' })).toThrow(/BUNDLE_LIMIT_MIB/);
    expect(() => parseBuildLimits({ MAX_ARTICLE_BYTES: 1500.5 })).toThrow(/MAX_ARTICLE_BYTES/);
  });
});

describe('bundle size', () => {
  it('refuses a build whose Worker would exceed BUNDLE_LIMIT_MIB, naming the size, the limit and the fix, and writes nothing', async () => {
    const root = await project(PAGED_ARTICLES);
    const outFile = join(root, 'out', 'site.js');
    // The code allowance alone (64 KiB gzip) is over 0.05 MiB.
    const result = await build(root, { BUNDLE_LIMIT_MIB: '0.05' }, outFile);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatch(
      new RegExp(`^Worker bundle too large: about \\d+\\.\\d KiB gzip-compressed \\(\\d+\\.\\d KiB of it the generated site with ${PAGED_ARTICLES.length} articles\\), over BUNDLE_LIMIT_MIB = 0\\.05 \\(MiB, gzip\\)\\. .*raise BUNDLE_LIMIT_MIB under \\[vars\\] in wrangler\\.toml.*Nothing was written\\.$`),
    );
    await expect(stat(outFile)).rejects.toThrow();
  });

  it('builds within the default limit', async () => {
    const root = await project(PAGED_ARTICLES);
    expect((await build(root)).ok).toBe(true);
  });

  it('accepts a bundle larger than the budget raw but within it gzip-compressed', async () => {
    const root = await project(PAGED_ARTICLES);
    // 0.2 MiB: below the raw size (the code allowance alone is 256 KiB), above the gzip size.
    expect((await build(root, { BUNDLE_LIMIT_MIB: '0.2' })).ok).toBe(true);
    const refused = await build(root, { BUNDLE_LIMIT_MIB: '0.05' });
    expect(refused.ok).toBe(false);
  });

  it('measures non-ASCII text as esbuild writes it, as \\u escapes', async () => {
    const ascii = await measureBundle({ moduleText: 'x'.repeat(100), data: new Uint8Array(0) });
    const accented = await measureBundle({ moduleText: 'é'.repeat(100), data: new Uint8Array(0) });
    expect(ascii.siteBytes).toBe(100);
    expect(accented.siteBytes).toBe(600);
    expect(ascii.bytes - ascii.siteBytes).toBe(WORKER_CODE_ALLOWANCE.bytes);
    expect(ascii.gzipBytes - ascii.siteGzipBytes).toBe(WORKER_CODE_ALLOWANCE.gzipBytes);
  });

  it('measures large inputs in parallel slices within 0.05% of one gzip stream', async () => {
    // Text like a site's: repetitive markup around varied words, 13 MiB (four slices).
    const words = Array.from({ length: 5000 }, (_, i) => `word${(i * 7919) % 10007}`);
    const text = Array.from({ length: 300_000 }, (_, i) => `<p class="x">${words[i % 4999]} ${words[(i * 31) % 4999]} and ${i}</p>\n`).join('');
    const bytes = new TextEncoder().encode(text);
    expect(bytes.byteLength).toBeGreaterThan(3 * 4 * 1024 * 1024);
    const whole = gzipSync(bytes).byteLength;
    const sliced = await gzipLength(bytes);
    expect(Math.abs(sliced - whole) / whole).toBeLessThan(0.0005);
  });

  it('estimates at or above the bundle wrangler really makes, within the code allowance', async () => {
    const root = await project(PAGED_ARTICLES);
    const outDir = await mkdtemp(join(tmpdir(), 'feed-publisher-bundle-'));
    folders.push(outDir);
    const siteModule = join(outDir, 'site.js');
    expect((await build(root, {}, siteModule)).ok).toBe(true);
    const estimate = await measureBundle(await readGeneratedSite(siteModule));
    const actual = await bundleWorker({ outDir, siteModule });
    expect(estimate.gzipBytes, 'gzip estimate covers the real bundle').toBeGreaterThanOrEqual(actual.gzipBytes);
    expect(estimate.bytes, 'raw estimate covers the real bundle').toBeGreaterThanOrEqual(actual.bytes);
    // Not so generous that a site near the limit is refused for nothing.
    expect(estimate.gzipBytes - actual.gzipBytes).toBeLessThan(WORKER_CODE_ALLOWANCE.gzipBytes);
  }, 180_000);
});
