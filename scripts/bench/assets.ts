// What a build's static assets folder (`site.assets/` beside `site.js`) holds, counted as
// Cloudflare counts it: the files a Worker version uploads, their bytes, the largest one, and
// the plan that many files need (docs/static-assets.md §6).
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ASSET_LIMITS, type AssetPlan, planFor } from '../../src/prerender/asset-layout.ts';

/** Files in the folder that are read by the asset tier or the build, never uploaded as assets. */
const CONTROL_FILES = new Set(['_headers', '_redirects', '.assetsignore', '.build-manifest.json']);

/** The uploaded files of an assets folder, summed up. */
export interface AssetsSummary {
  /** Files uploaded as assets (the control files left out). */
  files: number;
  bytes: number;
  /** Folders, the assets folder included: what `wrangler dev` sets a watcher on. */
  folders: number;
  largest: { file: string; bytes: number };
  /** 'Free' within 20,000 files, 'Paid' within 100,000, else undefined (no plan holds it). */
  plan: AssetPlan | undefined;
  /** Files over the 25 MiB per-file limit. */
  tooBig: string[];
  /** How long the walk took, in ms. */
  walkMs: number;
}

/** Walks an assets folder and sums up what a deploy would upload from it. */
export async function summarizeAssets(dir: string): Promise<AssetsSummary> {
  const started = performance.now();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const summary: AssetsSummary = {
    files: 0,
    bytes: 0,
    folders: 1,
    largest: { file: '', bytes: -1 },
    plan: undefined,
    tooBig: [],
    walkMs: 0,
  };
  for (const entry of entries) {
    if (entry.isDirectory()) {
      summary.folders++;
      continue;
    }
    if (!entry.isFile()) continue;
    if (entry.parentPath === dir && CONTROL_FILES.has(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const info = await stat(file);
    summary.files++;
    summary.bytes += info.size;
    if (info.size > summary.largest.bytes)
      summary.largest = { file: relative(dir, file), bytes: info.size };
    if (info.size > ASSET_LIMITS.fileBytes) summary.tooBig.push(relative(dir, file));
  }
  summary.plan = planFor(summary.files);
  summary.walkMs = performance.now() - started;
  return summary;
}

/** The plan a summary needs, in words, with the limit it is judged against. */
export function describePlan(summary: AssetsSummary): string {
  const { free, paid } = ASSET_LIMITS;
  if (summary.plan === 'Free') return `Free (≤ ${free.toLocaleString('en-US')} files)`;
  if (summary.plan === 'Paid')
    return `Paid (> ${free.toLocaleString('en-US')}, ≤ ${paid.toLocaleString('en-US')} files)`;
  return `none (> ${paid.toLocaleString('en-US')} files)`;
}
