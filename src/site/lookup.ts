import { type Bytes, type ChunkReader, joinBytes } from './chunks.ts';
import type { AnyVersion, BuiltSite, ServedSite, Version } from './types.ts';

/** Either form of a generated site: the routing data is the same. */
export type AnySite = BuiltSite | ServedSite;

/** Where the request's instant falls in the publication schedule. */
interface ScheduleAt {
  /** How many scheduled publications have happened; part of the edge-cache key. */
  edition: number;
  /** When the next scheduled article appears (epoch ms); undefined when none is due. */
  nextChangeAt?: number;
}

/** A request's instant and where it falls in the schedule; the clock is read once per request. */
export interface Moment extends ScheduleAt {
  now: number;
}

/** The moment of a request at `now`. */
export function momentAt(site: AnySite, now: number): Moment {
  return { now, ...readSchedule(site, now) };
}

/** Reads the schedule at `now`. */
function readSchedule(site: AnySite, now: number): ScheduleAt {
  let edition = 0;
  while (
    edition < site.schedule.length &&
    (site.schedule[edition] ?? Number.POSITIVE_INFINITY) <= now
  )
    edition++;
  const next = site.schedule[edition];
  return next === undefined ? { edition } : { edition, nextChangeAt: next };
}

/**
 * The version of the response at `path` in force at `now`, or undefined when there is none
 * (unknown path, or an article not yet published). `path` is a URL pathname; percent-escapes
 * are compared in their canonical (uppercase, minimal) form.
 */
export function selectVersion(site: AnySite, path: string, now: number): AnyVersion | undefined {
  const versions: readonly AnyVersion[] | undefined = Object.hasOwn(site.routes, path)
    ? site.routes[path]
    : lookupCanonical(site, path);
  if (!versions) return undefined;
  let selected: AnyVersion | undefined;
  for (const version of versions) {
    if (version.from !== null && version.from > now) break;
    selected = version;
  }
  return selected;
}

function lookupCanonical(site: AnySite, path: string): readonly AnyVersion[] | undefined {
  if (!path.includes('%')) return undefined;
  const canonical = path
    .split('/')
    .map((segment) => {
      try {
        return encodeURIComponent(decodeURIComponent(segment));
      } catch {
        return segment;
      }
    })
    .join('/');
  return Object.hasOwn(site.routes, canonical) ? site.routes[canonical] : undefined;
}

const bodies = new WeakMap<Version, Bytes>();

/** The UTF-8 body of a version, joined from its chunks once per isolate. */
export function bodyOf(chunks: ChunkReader, version: Version): Bytes {
  let body = bodies.get(version);
  if (body === undefined) {
    body = joinBytes(version.parts.map((part) => chunks.bytes(part)));
    bodies.set(version, body);
  }
  return body;
}
