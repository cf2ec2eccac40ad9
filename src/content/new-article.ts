import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { slugifyTitle } from '../site/slug.ts';
import { deriveFileSlug, isArticleSlug } from './article-slug.ts';
import { listArticleFiles } from './list-articles.ts';
import { findMarkup } from './plain-text.ts';

/** What `npm run new` needs. */
export interface NewArticleOptions {
  root: string;
  title: string;
  /** Overrides the slug made from the title. */
  slug?: string;
  now: number;
}

/**
 * Creates `articles/<slug>.md` with front matter (title, the current instant, `draft: true`)
 * and refuses to overwrite an existing file. Returns the path written.
 * @throws Error with a sentence saying what to do instead.
 */
export async function createArticleFile(options: NewArticleOptions): Promise<string> {
  const title = options.title.trim();
  if (title === '')
    throw new Error('Give the article a title: npm run new -- "Title of the article"');
  // The build would refuse the file it writes.
  const markup = findMarkup(title, 'titles');
  if (markup) throw new Error(`The title ${markup.message}.`);
  const slug = options.slug ?? slugifyTitle(title);
  if (!isArticleSlug(slug)) {
    throw new Error(
      `Cannot make a file name from ${JSON.stringify(title)}: pass one with --slug, e.g. npm run new -- "${title}" --slug my-article`,
    );
  }
  const articlesDir = join(options.root, 'articles');
  // Slugs are unique across subfolders, and the build would refuse a second one.
  const listing = await listArticleFiles(options.root, articlesDir).catch(() => undefined);
  const taken = listing?.files.find((f) => deriveFileSlug(f.file) === slug);
  if (taken && taken.file !== `articles/${slug}.md`) {
    throw new Error(
      `${taken.file} already has the slug "${slug}" (the slug is the file name, whatever its folder): choose another title or pass --slug`,
    );
  }
  // Always at the top of articles/: subfolders are the author's own filing.
  const file = join(articlesDir, `${slug}.md`);
  const date = new Date(Math.floor(options.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const text = `---\ntitle: ${JSON.stringify(title)}\ndate: ${date}\ntags: []\ndraft: true\n---\n\nWrite the article here, in markdown.\n`;
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`articles/${slug}.md already exists: choose another title or pass --slug`);
    throw error;
  }
  await handle.writeFile(text);
  await handle.close();
  return file;
}
