import type { BuiltSite, Edition } from './types.ts';

/** The edition in force at an instant, and when the next one takes over. */
export interface EditionAt {
  edition: Edition;
  /** Position in `site.editions`; part of the edge-cache key. */
  index: number;
  /** When the next scheduled article appears (epoch ms); undefined when none is due. */
  nextChangeAt?: number;
}

/** Picks the edition in force at `now`: the last one whose `from` has passed. */
export function selectEdition(site: BuiltSite, now: number): EditionAt {
  let index = 0;
  for (let i = 1; i < site.editions.length; i++) {
    const from = site.editions[i]?.from;
    if (from === null || from === undefined || from > now) break;
    index = i;
  }
  const edition = site.editions[index];
  if (!edition) throw new Error('the generated site has no editions: run the build again');
  const next = site.editions[index + 1]?.from;
  return next === null || next === undefined ? { edition, index } : { edition, index, nextChangeAt: next };
}
