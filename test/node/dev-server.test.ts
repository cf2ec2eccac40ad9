// The parts of `npm start` (scripts/dev.ts) that work without wrangler: the folder watcher that
// replaces wrangler's per-file chokidar watchers, the `[build]` section read as wrangler reads
// it, and the command line.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DevUsageError,
  parseDevOptions,
  readBuildSection,
  watchFolders,
} from '../../scripts/support/dev-server.ts';

const folders: string[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function makeFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'dev-server-'));
  folders.push(folder);
  return folder;
}

/** Watches `roots`, and returns the paths reported so far, and a wait for one to be reported. */
function watch(roots: string[]): {
  seen: string[];
  waitFor: (path: string) => Promise<void>;
} {
  const seen: string[] = [];
  const waiters: { path: string; resolve: () => void }[] = [];
  stops.push(
    watchFolders(roots, (path) => {
      seen.push(path);
      for (const waiter of waiters.filter((w) => w.path === path)) waiter.resolve();
    }),
  );
  return {
    seen,
    waitFor: (path) =>
      seen.includes(path)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`no change reported for ${path}; seen: ${seen.join(', ')}`)),
              5_000,
            );
            waiters.push({
              path,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
  };
}

/** Lets pending watch events arrive. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

describe('watchFolders', () => {
  it('reports a file written, created or renamed over in a folder at any depth', async () => {
    const root = await makeFolder();
    await mkdir(join(root, '2024', 'march'), { recursive: true });
    await writeFile(join(root, '2024', 'march', 'a.md'), 'one');
    await writeFile(join(root, 'b.md'), 'one');
    const { waitFor } = watch([root]);
    await writeFile(join(root, '2024', 'march', 'a.md'), 'two');
    await waitFor(join(root, '2024', 'march', 'a.md'));
    await writeFile(join(root, 'c.md'), 'new');
    await waitFor(join(root, 'c.md'));
    // An editor's save: a new file renamed over the old one.
    await writeFile(join(root, 'b.md.tmp'), 'two');
    await rename(join(root, 'b.md.tmp'), join(root, 'b.md'));
    await waitFor(join(root, 'b.md'));
  });

  it('watches a folder created after it started, and what is written in it', async () => {
    const root = await makeFolder();
    const { waitFor } = watch([root]);
    await mkdir(join(root, '2025'));
    await waitFor(join(root, '2025'));
    await writeFile(join(root, '2025', 'd.md'), 'new');
    await waitFor(join(root, '2025', 'd.md'));
  });

  it('watches a folder moved in, and a folder removed and made again', async () => {
    const root = await makeFolder();
    const outside = await makeFolder();
    await mkdir(join(outside, 'drafts'));
    await mkdir(join(root, 'old'));
    const { waitFor } = watch([root]);
    await rename(join(outside, 'drafts'), join(root, 'drafts'));
    await waitFor(join(root, 'drafts'));
    await writeFile(join(root, 'drafts', 'e.md'), 'new');
    await waitFor(join(root, 'drafts', 'e.md'));
    await rm(join(root, 'old'), { recursive: true });
    await waitFor(join(root, 'old'));
    await settle();
    await mkdir(join(root, 'old'));
    await settle();
    await writeFile(join(root, 'old', 'f.md'), 'new');
    await waitFor(join(root, 'old', 'f.md'));
  });

  it('skips hidden entries, as the build does, and reports nothing once stopped', async () => {
    const root = await makeFolder();
    await mkdir(join(root, '.git'));
    const { seen, waitFor } = watch([root]);
    await writeFile(join(root, '.a.md.swp'), 'swap');
    await writeFile(join(root, '.git', 'index'), 'git');
    await writeFile(join(root, 'g.md'), 'new');
    await waitFor(join(root, 'g.md'));
    await settle();
    expect(seen.every((path) => path === join(root, 'g.md'))).toBe(true);
    stops.splice(0).forEach((stop) => {
      stop();
    });
    const count = seen.length;
    await writeFile(join(root, 'h.md'), 'after');
    await settle();
    expect(seen).toHaveLength(count);
  });

  it('ignores a root that does not exist', async () => {
    const root = await makeFolder();
    expect(() => watch([join(root, 'missing')])).not.toThrow();
  });
});

describe('readBuildSection', () => {
  it('resolves watch_dir from the config folder and cwd from the working folder, as wrangler does', async () => {
    const folder = await makeFolder();
    await mkdir(join(folder, 'site'));
    const config = join(folder, 'site', 'wrangler.toml');
    await writeFile(
      config,
      '[build]\ncommand = "node build.ts"\ncwd = "work"\nwatch_dir = ["articles", "../common"]\n',
    );
    expect(readBuildSection(config, folder)).toEqual({
      command: 'node build.ts',
      cwd: join(folder, 'work'),
      watchDirs: [join(folder, 'site', 'articles'), join(folder, 'common')],
    });
  });

  it('defaults watch_dir to ./src and cwd to the working folder, and has no build without a command', async () => {
    const folder = await makeFolder();
    const config = join(folder, 'wrangler.toml');
    await writeFile(config, '[build]\ncommand = "make"\n');
    expect(readBuildSection(config, '/elsewhere')).toEqual({
      command: 'make',
      cwd: '/elsewhere',
      watchDirs: [join(folder, 'src')],
    });
    await writeFile(config, 'name = "x"\n');
    expect(readBuildSection(config)).toBeUndefined();
  });

  it('refuses a config it cannot read, naming the file and the field', async () => {
    const folder = await makeFolder();
    const config = join(folder, 'wrangler.toml');
    await writeFile(config, '[build]\ncommand = "make"\nwatch_dir = [1]\n');
    expect(() => readBuildSection(config)).toThrow(
      new DevUsageError(`${config}: [build] watch_dir: not a string or a list of strings`),
    );
    await writeFile(config, '[build\n');
    expect(() => readBuildSection(config)).toThrow(new RegExp(`^${config}: `));
    expect(() => readBuildSection(join(folder, 'wrangler.jsonc'))).toThrow(
      /wrangler\.toml config only/,
    );
  });
});

describe('parseDevOptions', () => {
  it('takes the wrangler dev flags npm start documents', () => {
    expect(
      parseDevOptions(
        [
          '--port',
          '8788',
          '--ip',
          '0.0.0.0',
          '--config',
          'dev/wrangler.toml',
          '--persist-to',
          '/tmp/state',
          '--log-level',
          'warn',
        ],
        '/project',
      ),
    ).toEqual({
      config: '/project/dev/wrangler.toml',
      ip: '0.0.0.0',
      port: 8788,
      persistTo: '/tmp/state',
      inspectorPort: undefined,
      logLevel: 'warn',
      help: false,
    });
    expect(parseDevOptions([], '/project')).toMatchObject({
      config: '/project/wrangler.toml',
      port: undefined,
      logLevel: 'log',
    });
  });

  it('refuses a bad port, a bad log level and a flag it does not know', () => {
    expect(() => parseDevOptions(['--port', '80a'])).toThrow(
      '--port expects an integer from 0 to 65535, got "80a"',
    );
    expect(() => parseDevOptions(['--log-level', 'loud'])).toThrow(/--log-level expects one of/);
    expect(() => parseDevOptions(['--remote'])).toThrow(DevUsageError);
  });
});
