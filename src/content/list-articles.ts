import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isMarkdownFileName } from './article-slug.ts';
import type { Problem } from './problem.ts';
import type { ArticleFile } from './read-articles.ts';

/** What the articles folder holds: the files to publish, what stops the build, what is left out. */
export interface ArticleListing {
  /** Markdown files, in every subfolder, sorted by path. */
  files: ArticleFile[];
  /** Entries the build refuses to read: symbolic links, FIFOs, sockets, devices. */
  problems: Problem[];
  /** One sentence per file left out, for the build to print. */
  notes: string[];
}

const LINK_REASON = 'it could read any file on the build machine';

/**
 * Lists `articlesDir` and its subfolders without following symbolic links. Markdown files
 * (`.md`, `.markdown`) are articles wherever they are filed; names starting with "." are the
 * tools' (`.gitkeep`, `.DS_Store`, `.git/`, editors' swap and lock files), so hidden folders are
 * not entered and hidden files are skipped, with a note only for one that looks like an
 * article. Any other file gets a note; a link or a special file is a problem. File names are
 * relative to `root`, with forward slashes, as every message names them.
 */
export async function listArticleFiles(root: string, articlesDir: string): Promise<ArticleListing> {
  const listing: ArticleListing = { files: [], problems: [], notes: [] };
  const nameOf = (path: string): string => relative(root, path).split(sep).join('/');
  const refuse = (path: string, message: string): void => {
    listing.problems.push({ file: nameOf(path), line: 1, field: 'file', message });
  };
  const pending = [articlesDir];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    // The folder's name once, not each file's path made relative (0.1 s at 20,000 files).
    const folder = nameOf(dir);
    const fileName = (name: string): string => (folder === '' ? name : `${folder}/${name}`);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      // The articles folder itself must be there; a subfolder the build cannot open is the author's to fix.
      if (dir === articlesDir) throw error;
      refuse(
        dir,
        `cannot read this folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): fix its permissions or move its articles out`,
      );
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('.')) {
        if (entry.isFile() && isMarkdownFileName(entry.name)) {
          listing.notes.push(
            `${nameOf(path)}: not published: its name starts with "." (a hidden file); remove the dot to publish it`,
          );
        }
      } else if (entry.isSymbolicLink()) {
        // Dirents describe the link itself (lstat); stat follows it only to word the message.
        const target = await stat(path).catch(() => undefined);
        if (target?.isDirectory())
          refuse(
            path,
            `a symbolic link to a folder is not published: ${LINK_REASON}; copy the folder into articles/ instead`,
          );
        else
          refuse(
            path,
            `a symbolic link is not published: ${LINK_REASON}; copy the file into articles/ instead`,
          );
      } else if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile()) {
        if (isMarkdownFileName(entry.name))
          listing.files.push({ file: fileName(entry.name), path });
        else
          listing.notes.push(
            `${nameOf(path)}: not published: only .md and .markdown files are articles`,
          );
      } else {
        refuse(
          path,
          `${describeSpecialFile(entry)} is not a regular file and cannot be an article: remove it from articles/`,
        );
      }
    }
  }
  const byFile = (a: { file: string }, b: { file: string }): number =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
  listing.files.sort(byFile);
  listing.problems.sort(byFile);
  listing.notes.sort();
  return listing;
}

function describeSpecialFile(entry: Dirent): string {
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  return 'a device file';
}
