import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/content/article.ts';
import { parseSiteConfig } from '../../../src/content/config.ts';
import { createArticleFile } from '../../../src/content/new-article.ts';
import { FIXTURE_VARS } from '../../support/fixtures.ts';

const run = promisify(execFile);
const projectRoot = join(import.meta.dirname, '..', '..', '..');
const node = join(projectRoot, 'node_modules', '.bin', 'node');
const roots: string[] = [];

async function emptyProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'feed-publisher-new-'));
  await mkdir(join(root, 'articles'));
  roots.push(root);
  return root;
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('npm run new', () => {
  it('creates a draft whose front matter the build accepts', async () => {
    const root = await emptyProject();
    const file = await createArticleFile({
      root,
      title: 'Rates: "cut" again',
      now: Date.parse('2026-11-27T09:30:15.250Z'),
    });
    expect(file).toBe(join(root, 'articles', 'rates-cut-again.md'));
    const text = await readFile(file, 'utf8');
    const { article, problems } = parseArticle(
      'articles/rates-cut-again.md',
      new TextEncoder().encode(text),
      parseSiteConfig(FIXTURE_VARS),
    );
    expect(problems).toEqual([]);
    expect(article).toMatchObject({
      title: 'Rates: "cut" again',
      publishedAt: Date.parse('2026-11-27T09:30:15Z'),
      draft: true,
    });
  });

  it('refuses to overwrite an existing article', async () => {
    const root = await emptyProject();
    await createArticleFile({ root, title: 'Same', now: 0 });
    await expect(createArticleFile({ root, title: 'Same', now: 0 })).rejects.toThrow(
      'articles/same.md already exists',
    );
  });

  it('refuses a title the build would refuse, saying why, and writes nothing', async () => {
    const root = await emptyProject();
    await expect(
      createArticleFile({ root, title: 'Tags <b>bold</b> & more', now: 0 }),
    ).rejects.toThrow('The title "<b>" reads as an HTML tag');
    await expect(
      readFile(join(root, 'articles', 'tags-b-bold-b-more.md'), 'utf8'),
    ).rejects.toThrow();
    await createArticleFile({ root, title: 'AT&T <3 & a < b', now: 0 });
    expect(await readFile(join(root, 'articles', 'at-t-3-a-b.md'), 'utf8')).toContain(
      'title: "AT&T <3 & a < b"',
    );
  });

  it('writes at the top of articles/ and refuses a slug an article in a subfolder has', async () => {
    const root = await emptyProject();
    await mkdir(join(root, 'articles', '2024'));
    await writeFile(join(root, 'articles', '2024', 'rate-cut.md'), '# Rate cut\n');
    await expect(createArticleFile({ root, title: 'Rate cut', now: 0 })).rejects.toThrow(
      'articles/2024/rate-cut.md already has the slug "rate-cut" (the slug is the file name, whatever its folder): choose another title or pass --slug',
    );
    expect(await createArticleFile({ root, title: 'Rate cut', slug: 'rate-cut-2', now: 0 })).toBe(
      join(root, 'articles', 'rate-cut-2.md'),
    );
  });

  it('asks for a slug when the title has no Latin letters', async () => {
    const root = await emptyProject();
    await expect(createArticleFile({ root, title: 'Политика', now: 0 })).rejects.toThrow('--slug');
    await createArticleFile({ root, title: 'Политика', slug: 'politika', now: 0 });
    expect(await readFile(join(root, 'articles', 'politika.md'), 'utf8')).toContain(
      'title: "Политика"',
    );
  });

  it('works from the command line', async () => {
    const root = await emptyProject();
    const { stdout } = await run(
      node,
      [join(projectRoot, 'scripts', 'new-article.ts'), 'Hello', 'world'],
      { cwd: root },
    );
    expect(stdout).toContain('Created articles/hello-world.md');
    const failure = await run(
      node,
      [join(projectRoot, 'scripts', 'new-article.ts'), 'Hello', 'world'],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('already exists');
  });
});
