// The project stands alone: a fresh clone builds and tests with nothing beside it. The
// development checkout has a folder of shared material next to it, which CI's checkout has
// too, so a reference to it would pass there and fail for everyone else (.ci/run also runs
// the tests in a fresh clone in a temporary folder, which catches what this misses).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support.ts';

/** What the build, the tests and CI run or read. */
const CHECKED = ['src', 'test', 'scripts', '.ci', 'package.json', 'vitest.config.ts'];
/** A path into the sibling folder: dot-dot, a slash or a backslash, then `shared`; or the two as separate path segments. */
const SIBLING_SHARED = /\.\.[/\\]shared\b|['"]\.\.['"]\s*,\s*['"]shared['"]/;

/** Tracked files under CHECKED, relative to the repository root. */
function listTrackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', ...CHECKED], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f !== '');
}

describe('the repository', () => {
  it('has no tracked file that reads the shared folder beside the checkout', async () => {
    const files = listTrackedFiles();
    expect(files).toContain('package.json');
    expect(files).toContain('.ci/run');
    const offenders: string[] = [];
    for (const file of files) {
      const lines = (await readFile(join(REPO_ROOT, file), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (SIBLING_SHARED.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
