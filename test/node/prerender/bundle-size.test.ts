import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bundleWorker } from '../../../scripts/support/bundle-worker.ts';
import {
  gzipLength,
  measureBundle,
  WORKER_CODE_ALLOWANCE,
} from '../../../src/prerender/bundle-size.ts';
import { readGeneratedSite } from '../../../src/prerender/site-module.ts';
import { PAGED_ARTICLES } from '../../support/fixtures.ts';
import { useTemporaryProjects } from '../support.ts';

const { project, build } = useTemporaryProjects();

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
      new RegExp(
        `^Worker bundle too large: about \\d+\\.\\d KiB gzip-compressed \\(\\d+\\.\\d KiB of it the generated site with ${PAGED_ARTICLES.length} articles\\), over BUNDLE_LIMIT_MIB = 0\\.05 \\(MiB, gzip\\)\\. .*raise BUNDLE_LIMIT_MIB under \\[vars\\] in wrangler\\.toml.*Nothing was written\\.$`,
      ),
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
    const text = Array.from(
      { length: 300_000 },
      (_, i) => `<p class="x">${words[i % 4999]} ${words[(i * 31) % 4999]} and ${i}</p>\n`,
    ).join('');
    const bytes = new TextEncoder().encode(text);
    expect(bytes.byteLength).toBeGreaterThan(3 * 4 * 1024 * 1024);
    const whole = gzipSync(bytes).byteLength;
    const sliced = await gzipLength(bytes);
    expect(Math.abs(sliced - whole) / whole).toBeLessThan(0.0005);
  });

  it('estimates at or above the bundle wrangler really makes, within the code allowance', async () => {
    const root = await project(PAGED_ARTICLES);
    const outDir = await mkdtemp(join(tmpdir(), 'feed-publisher-bundle-'));
    onTestFinished(() => rm(outDir, { recursive: true, force: true }));
    const siteModule = join(outDir, 'site.js');
    expect((await build(root, {}, siteModule)).ok).toBe(true);
    const estimate = await measureBundle(await readGeneratedSite(siteModule));
    const actual = await bundleWorker({ outDir, siteModule });
    expect(estimate.gzipBytes, 'gzip estimate covers the real bundle').toBeGreaterThanOrEqual(
      actual.gzipBytes,
    );
    expect(estimate.bytes, 'raw estimate covers the real bundle').toBeGreaterThanOrEqual(
      actual.bytes,
    );
    // Not so generous that a site near the limit is refused for nothing.
    expect(estimate.gzipBytes - actual.gzipBytes).toBeLessThan(WORKER_CODE_ALLOWANCE.gzipBytes);
  }, 180_000);
});
