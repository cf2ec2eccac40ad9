// How the build writes the assets folder it fills: the system calls a build without the cache
// makes over the spare folder (the build before last's files, many of them hard links to the
// live folder's), and that the live folder keeps every file while it does.
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
  writeFile: typeof fs.writeFile;
  link: typeof fs.link;
};
const real = { writeFile: promises.writeFile, link: promises.link };
/** The files every create and link named, while `recordCreates` runs (the real calls run). */
const created: string[] = [];

/** Records every file the build creates or links (the modules' named imports see the wrappers). */
function recordCreates(): void {
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
  it('without the cache, over a full spare folder, creates each file once (the old one unlinked first) and never touches the live folder', async () => {
    const root = await projects.project(ARTICLES);
    const generated = join(root, 'src', 'generated');
    const [zero, one] = [join(generated, '.site.assets.0'), join(generated, '.site.assets.1')];
    await buildInto(root, true);
    const story = join(root, 'articles', 'story-2.md');
    await fs.writeFile(story, `${await fs.readFile(story, 'utf8')}\n\nEdited.\n`);
    await buildInto(root, true);
    // Folder 1 is live; folder 0 holds the first build's files, most of them hard links to folder 1's.
    expect(await fs.readlink(join(generated, 'site.assets'))).toBe('.site.assets.1');
    expect((await fs.stat(join(zero, 'articles', 'story-1.html'))).nlink).toBe(2);
    const live = await readFolder(one);
    recordCreates();

    const built = await buildInto(root, false);
    expect(await fs.readlink(join(generated, 'site.assets'))).toBe('.site.assets.0');
    // Every settled file rendered, and each created or linked exactly once: none failed first.
    const creates = countCreates(zero);
    Object.assign(promises, real);
    syncBuiltinESMExports();
    const paths = settledPaths(assetsOf(built.site));
    expect(paths).toContain('/archive/2/feed.json');
    for (const path of paths) expect(creates.get(assetFileOf(path)), path).toBe(1);
    expect(creates.size).toBeGreaterThan(paths.length);
    expect([...creates].filter(([, n]) => n !== 1)).toEqual([]);
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
    for (const file of ['articles/story-1.html', 'archive/1/feed.json'])
      expect((await fs.stat(join(zero, file))).nlink, file).toBe(1);
  });
});
