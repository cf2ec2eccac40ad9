import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FIXTURE_VARS, writeArticles } from '../../support/fixtures.ts';
import { bodyServedAt, isAsset, runTestBuild } from '../support.ts';

describe('tags in the build', () => {
  it('merges spellings that share a slug and says so', async () => {
    const root = await writeArticles([
      {
        name: 'a.md',
        frontMatter: { title: 'A', date: '2024-01-01', tags: ['Café'] },
        body: 'Body of the first article, long enough to be a summary here.',
      },
      {
        name: 'b.md',
        frontMatter: { title: 'B', date: '2024-01-02', tags: ['cafe'] },
        body: 'Body of the second article, long enough to be a summary here.',
      },
      {
        name: 'c.md',
        frontMatter: { title: 'C', date: '2024-01-03', tags: ['CAFÉ'] },
        body: 'Body of the third article, long enough to be a summary here.',
      },
    ]);
    try {
      const result = await runTestBuild({
        root,
        vars: FIXTURE_VARS,
        now: Date.parse('2025-01-01T00:00:00Z'),
      });
      if (!result.ok) throw new Error(result.messages.join('\n'));
      expect(result.notes).toEqual([
        'tags "CAFÉ", "Café", "cafe" are one tag, "CAFÉ", at /tags/cafe/',
        // The three article pages.
      ]);
      expect(Object.keys(result.site.routes).filter((p) => p.startsWith('/tags/'))).toEqual([
        '/tags/cafe/rss.xml',
        '/tags/cafe/atom.xml',
        '/tags/cafe/feed.json',
        '/tags/cafe/',
      ]);
      // Every article shows the tag under its one name, in its page and in every feed.
      const body = (path: string): string => bodyServedAt(result.site, path);
      for (const slug of ['a', 'b', 'c']) {
        // Published at the build, an article page is settled: a static asset.
        expect(isAsset(result.site, `/articles/${slug}`), slug).toBe(true);
        const page = body(`/articles/${slug}`);
        expect(page, slug).toContain('rel="tag" href="https://news.example/tags/cafe/">CAFÉ</a>');
        expect(page, slug).not.toMatch(/>(Café|cafe)</);
      }
      const json = JSON.parse(body('/feed.json')) as { items: { tags: string[] }[] };
      expect(json.items.map((item) => item.tags)).toEqual([['CAFÉ'], ['CAFÉ'], ['CAFÉ']]);
      const categories = [...body('/rss.xml').matchAll(/<category>(?:<!\[CDATA\[)?([^<\]]*)/g)].map(
        (m) => m[1],
      );
      expect(categories).toEqual(['CAFÉ', 'CAFÉ', 'CAFÉ']);
      const terms = [...body('/atom.xml').matchAll(/<category term="([^"]*)"/g)].map((m) => m[1]);
      expect(terms).toEqual(['CAFÉ', 'CAFÉ', 'CAFÉ']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a tag that has no letter or digit, naming file and line', async () => {
    const root = await writeArticles([
      {
        name: 'a.md',
        frontMatter: { title: 'A', date: '2024-01-01', tags: ['ok', '!!!'] },
        body: 'Body text.',
      },
    ]);
    try {
      const result = await runTestBuild({ root, vars: FIXTURE_VARS, now: 0 });
      expect(result).toMatchObject({
        ok: false,
        messages: ['articles/a.md:4: tags: tag "!!!" has no letter or digit to make its URL from'],
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
