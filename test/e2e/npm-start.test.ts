// `npm start` itself, on a small site of its own: it serves the build's feeds and assets on the
// port asked for, puts no watch on each asset file (what made `wrangler dev` slow to start at
// 20,000 articles), serves an edited article after rebuilding, and stops whole on SIGINT.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateArticles } from '../../scripts/bench/articles.ts';
import { prepareWranglerEnv } from '../../scripts/support/bundle-worker.ts';
import {
  findFreePort,
  type GroupChild,
  spawnGroup,
  waitForGroup,
} from '../../scripts/support/process.ts';
import { REPO_ROOT } from '../node/support.ts';

/** The live processes of a process group, by reading /proc (a zombie has ended: only its parent has not reaped it yet). */
function listGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z') pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** The inotify watches the processes hold, from /proc/<pid>/fdinfo (one `inotify wd:` line per watch). */
function countInotifyWatches(pids: number[]): number {
  let watches = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
        watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('inotify wd:')).length;
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return watches;
}

/** Files under a folder, at any depth, following the assets link. */
function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  ).length;
}

const ARTICLES = 60;
let site: string;
let port: number;
let server: GroupChild;

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), 'npm-start-'));
  // Most articles at the top, one in a subfolder (watch_dir is watched at any depth).
  await generateArticles({
    dir: join(site, 'articles'),
    count: ARTICLES,
    newestBefore: Date.now(),
  });
  await mkdir(join(site, 'articles', '2026'));
  const nested = await readFile(join(site, 'articles', 'article-00001.md'), 'utf8');
  await rm(join(site, 'articles', 'article-00001.md'));
  await writeFile(join(site, 'articles', '2026', 'article-00001.md'), nested);
  const project = await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
  // The project's [vars] table, whose fields the build requires.
  const vars = /^\[vars\]\n(?:[^[].*\n|\n)*/m.exec(project)?.[0] ?? '';
  const quote = (text: string): string => JSON.stringify(text);
  await writeFile(
    join(site, 'entry.js'),
    `import { createApp } from ${quote(join(REPO_ROOT, 'src', 'app.ts'))};\nimport { site } from './src/generated/site.js';\n\nexport default createApp({ site });\n`,
  );
  // The project's own build (scripts/build.ts reads articles/ and [vars] in its working folder).
  await writeFile(
    join(site, 'wrangler.toml'),
    [
      'name = "npm-start-test"',
      'main = "entry.js"',
      `compatibility_date = ${quote(/compatibility_date = "([^"]+)"/.exec(project)?.[1] ?? '')}`,
      '',
      '[build]',
      `command = ${quote(`'${process.execPath}' '${join(REPO_ROOT, 'scripts', 'build.ts')}'`)}`,
      `cwd = ${quote(site)}`,
      'watch_dir = ["articles"]',
      '',
      '[assets]',
      'directory = "src/generated/site.assets"',
      'binding = "ASSETS"',
      '',
      vars.replace(/FEED_ITEM_LIMIT = "\d+"/, 'FEED_ITEM_LIMIT = "5"'),
    ].join('\n'),
  );
  port = await findFreePort();
  // As a user runs it, from the project folder; offline, in a process group of its own.
  server = spawnGroup(
    'npm',
    [
      'start',
      '--',
      '--config',
      join(site, 'wrangler.toml'),
      '--port',
      String(port),
      '--persist-to',
      join(site, 'state'),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
        ...(await prepareWranglerEnv(site)),
      },
    },
  );
  await waitForGroup(
    server,
    'the first feed',
    150_000,
    async () => (await get('/rss.xml')).status === 200,
  );
}, 180_000);

afterAll(async () => {
  await server?.stop(0);
  if (site) await rm(site, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the feed from the Worker and settled pages from the asset tier, on the port asked for', async () => {
    const feed = await get('/rss.xml');
    expect(feed.status).toBe(200);
    // The generated titles end with the article's number; the newest is in the subfolder.
    expect(feed.body).toContain(' (1)</title>');
    expect(feed.body).toContain(' (2)</title>');
    const page = await get('/articles/article-00010');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>');
  });

  it('holds about one inotify watch per watched folder, not one per asset file or article', () => {
    const assets = countFiles(join(site, 'src', 'generated', 'site.assets'));
    expect(assets).toBeGreaterThan(ARTICLES);
    const watches = countInotifyWatches(listGroup(server.child.pid as number));
    // articles/, articles/2026/ and the config's folder; `wrangler dev` holds one per file.
    expect(watches).toBeGreaterThan(0);
    expect(watches).toBeLessThanOrEqual(6);
  });

  it('rebuilds when an article in a subfolder changes, and then serves it in the feed and its page', async () => {
    const file = join(site, 'articles', '2026', 'article-00001.md');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/^title: "([^"]*)"/m, 'title: "$1 Revised"'));
    await waitForGroup(server, 'the edited title', 120_000, async () => {
      const [feed, page] = await Promise.all([get('/rss.xml'), get('/articles/article-00001')]);
      return feed.body.includes('Revised</title>') && page.body.includes('Revised</h1>');
    });
  }, 150_000);

  it('stops on SIGINT, with every process of its group', async () => {
    const group = server.child.pid as number;
    await server.stop(20_000);
    // SIGINT was enough: nothing had to be killed.
    expect(server.child.signalCode).not.toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(listGroup(group)).toEqual([]);
  }, 30_000);
});
