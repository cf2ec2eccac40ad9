// How the build writes the assets folder it fills: what a build without the cache does to each
// file of the spare folder (the build before last's files, many of them hard links to the live
// folder's), and that the live folder keeps every file while it does.
import * as fs from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assetFileOf } from '../../../src/prerender/asset-layout.ts';
import { readAssetsFrom } from '../../../src/prerender/asset-output.ts';
import { FIXTURE_VARS } from '../../support/fixtures.ts';
import {
  assetsOf,
  createDatedArticle,
  FIXTURE_NOW,
  runTestBuild,
  settledPaths,
  useTemporaryProjects,
} from '../support.ts';

/** The module object behind `node:fs/promises`, whose functions its named exports follow after `syncBuiltinESMExports`. */
const promises = createRequire(import.meta.url)('node:fs/promises') as {
  open: typeof fs.open;
  writeFile: typeof fs.writeFile;
  link: typeof fs.link;
};
const real = { open: promises.open, writeFile: promises.writeFile, link: promises.link };
/** The files every create and link named, while `recordCreates` runs (the real calls run). */
const created: string[] = [];

/** Records every file the build creates or links (the modules' named imports see the wrappers). */
function recordCreates(): void {
  promises.open = (file, flags, ...rest) => {
    if (typeof flags === 'string' && flags.includes('x')) created.push(String(file));
    return real.open(file, flags, ...rest);
  };
  promises.writeFile = (file, ...rest) => {
    created.push(String(file));
    return real.writeFile(file, ...rest);
  };
  promises.link = (from, file) => {
    created.push(String(file));
    return real.link(from, file);
  };
  syncBuiltinESMExports();
}

const projects = useTemporaryProjects();
afterEach(() => {
  Object.assign(promises, real);
  syncBuiltinESMExports();
  created.length = 0;
});

/** Two items a page: nine articles settle archive pages 1 and 2 in the site and the tag. */
const VARS = { ...FIXTURE_VARS, FEED_ITEM_LIMIT: '2' };
const OUT_FILE = 'src/generated/site.js';
const ARTICLES = Array.from({ length: 9 }, (_, i) =>
  createDatedArticle(`story-${i + 1}`, `2024-01-0${i + 1}T08:00:00Z`, { tags: ['News'] }),
);

/** Builds `root` into src/generated, with or without the cache; throws on any problem. */
async function buildInto(root: string, cache: boolean) {
  const result = await runTestBuild({
    root,
    vars: VARS,
    now: FIXTURE_NOW,
    outFile: OUT_FILE,
    cache,
  });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  return result;
}

/** Each file of an assets folder (the manifest left out): its inode, mtime and bytes. */
async function readFolder(dir: string): Promise<Record<string, [number, number, string]>> {
  const files: Record<string, [number, number, string]> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === '.build-manifest.json') continue;
    const path = join(entry.parentPath, entry.name);
    const { ino, mtimeMs } = await fs.stat(path);
    files[relative(dir, path)] = [ino, mtimeMs, (await fs.readFile(path)).toString('base64')];
  }
  return files;
}

/** The files under `folder` that the build's creates and links named, each with how many times. */
function countCreates(folder: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of created.filter((f) => f.startsWith(`${folder}/`)))
    counts.set(relative(folder, file), (counts.get(relative(folder, file)) ?? 0) + 1);
  return counts;
}

describe('writing the spare folder', () => {
  it('without the cache, over a full spare folder, writes its own files in place, replaces the ones it shares with the live folder, and never touches the live folder', async () => {
    const root = await projects.project(ARTICLES);
    const generated = join(root, 'src', 'generated');
    const [zero, one] = [join(generated, '.site.assets.0'), join(generated, '.site.assets.1')];
    await buildInto(root, true);
    const story = join(root, 'articles', 'story-2.md');
    await fs.writeFile(story, `${await fs.readFile(story, 'utf8')}\n\nEdited.\n`);
    await buildInto(root, true);
    // Folder 1 is live; folder 0 holds the first build's files, most of them hard links to
    // folder 1's, and the first versions of what the edit changed under one name only.
    expect(await fs.readlink(join(generated, 'site.assets'))).toBe('.site.assets.1');
    const shared = join(zero, 'articles', 'story-1.html');
    const own = join(zero, 'articles', 'story-2.html');
    expect((await fs.stat(shared)).nlink).toBe(2);
    expect((await fs.stat(own)).nlink).toBe(1);
    // A longer old file must be cut to the new length; a symbolic link in the way is not followed.
    await fs.appendFile(own, 'x'.repeat(100_000));
    const outside = join(root, 'outside.txt');
    await fs.writeFile(outside, 'not the build’s');
    const linkedAway = join(zero, 'articles', 'story-3.html');
    await fs.unlink(linkedAway);
    await fs.symlink(outside, linkedAway);
    const before = new Map<string, { ino: number; nlink: number }>();
    for (const entry of await fs.readdir(zero, { recursive: true, withFileTypes: true }))
      if (entry.isFile()) {
        const path = join(entry.parentPath, entry.name);
        const { ino, nlink } = await fs.stat(path);
        before.set(relative(zero, path), { ino, nlink });
      }
    const live = await readFolder(one);
    recordCreates();

    const built = await buildInto(root, false);
    expect(await fs.readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    const creates = countCreates(zero);
    Object.assign(promises, real);
    syncBuiltinESMExports();
    const paths = settledPaths(assetsOf(built.site));
    expect(paths).toContain('/archive/2/feed.json');
    // Each settled file: its own inode written over (no create), or a shared or missing one created once.
    const inPlace: string[] = [];
    for (const path of paths) {
      const file = assetFileOf(path);
      const was = before.get(file);
      const now = await fs.lstat(join(zero, file));
      expect([now.isFile(), now.nlink], file).toEqual([true, 1]);
      if (was?.nlink === 1) {
        expect([now.ino, creates.get(file)], file).toEqual([was.ino, undefined]);
        inPlace.push(file);
      } else {
        expect(now.ino, file).not.toBe(was?.ino);
        expect(creates.get(file), file).toBe(1);
      }
    }
    expect(inPlace).toContain('articles/story-2.html');
    expect(creates.get('articles/story-1.html')).toBe(1);
    expect(creates.get('articles/story-3.html')).toBe(1);
    expect([...creates].filter(([, n]) => n !== 1)).toEqual([]);
    expect(await fs.readFile(outside, 'utf8')).toBe('not the build’s');
    // The folder written is the site (as a build in memory has it); the old live folder is as it was.
    const expected = await runTestBuild({ root, vars: VARS, now: FIXTURE_NOW, cache: false });
    if (!expected.ok) throw new Error(expected.messages.join('\n'));
    const written = readAssetsFrom(zero);
    expect(settledPaths(written)).toEqual(paths);
    expect(settledPaths(assetsOf(expected.site))).toEqual(paths);
    for (const path of paths)
      expect(Buffer.from(written.read(path) ?? []).toString(), path).toBe(
        Buffer.from(assetsOf(expected.site).read(path) ?? []).toString(),
      );
    expect(await readFolder(one)).toEqual(live);
  });
});
