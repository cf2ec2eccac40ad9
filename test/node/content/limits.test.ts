import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkArticleSize,
  DEFAULT_BUNDLE_LIMIT_MIB,
  DEFAULT_MAX_ARTICLE_BYTES,
  formatBytes,
  parseBuildLimits,
} from '../../../src/content/limits.ts';
import { createArticle } from '../../support/fixtures.ts';
import { useTemporaryProjects } from '../support.ts';

const { project, build } = useTemporaryProjects();

/** An article body of about `bytes` bytes of prose. */
function proseOf(bytes: number): string {
  const sentence = 'The council met again on Tuesday to discuss the budget and the new tram line. ';
  return `${sentence.repeat(Math.ceil(bytes / sentence.length))}\n`;
}

describe('article size', () => {
  it('refuses an article over MAX_ARTICLE_BYTES with file, line, size, limit and the fix', async () => {
    const root = await project([
      createArticle({ name: 'big.md', body: proseOf(5000) }),
      createArticle({ name: 'small.md' }),
    ]);
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
    expect(result.messages.map((m) => m.split(': ').slice(0, 2).join(': '))).toEqual([
      'articles/bad-date.md:3: date',
      'articles/big.md:1: size',
    ]);
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
    await writeFile(
      join(root, 'articles', 'huge.md'),
      header + 'x'.repeat(DEFAULT_MAX_ARTICLE_BYTES + 1 - header.length),
    );
    const started = performance.now();
    const result = await build(root);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.messages[0]).toMatch(
        /^articles\/huge\.md:1: size: 1\.00 MiB \(1048577 bytes\) is over the 1\.00 MiB limit/,
      );
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('returns nothing for a file within the limit', () => {
    expect(checkArticleSize('articles/x.md', 10, parseBuildLimits({}))).toBeUndefined();
  });
});

describe('limit variables', () => {
  it('reads MAX_ARTICLE_BYTES and BUNDLE_LIMIT_MIB as strings or numbers, with defaults', () => {
    expect(parseBuildLimits({})).toEqual({
      maxArticleBytes: 1048576,
      bundleLimitMib: DEFAULT_BUNDLE_LIMIT_MIB,
    });
    expect(parseBuildLimits({ MAX_ARTICLE_BYTES: '2048', BUNDLE_LIMIT_MIB: '10' })).toEqual({
      maxArticleBytes: 2048,
      bundleLimitMib: 10,
    });
    expect(parseBuildLimits({ MAX_ARTICLE_BYTES: 4096, BUNDLE_LIMIT_MIB: 2.5 })).toEqual({
      maxArticleBytes: 4096,
      bundleLimitMib: 2.5,
    });
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
