import {
  type AssetsBinding,
  type BodyCoding,
  BodyMemo,
  bodyFilePath,
  readAssetFile,
} from '../site/bodies.ts';
import type { Bytes, ChunkReader } from '../site/chunks.ts';
import { type AnySite, bodyOf, type Moment, selectVersion } from '../site/lookup.ts';
import { isFeedQuery } from '../site/query.ts';
import type { AnyVersion } from '../site/types.ts';
import { createCacheControl } from './cache-control.ts';
import {
  answerConditional,
  type ConditionalFields,
  isNotModified,
  type SendOptions,
} from './conditional.ts';
import {
  CODINGS,
  type Coding,
  codedEtag,
  encodingFields,
  negotiateCoding,
  RUNTIME_CODINGS,
  readAcceptEncoding,
} from './content-coding.ts';
import { type EdgeStatus, filterKeptOn304, listSharedFields, versionFields } from './headers.ts';

/**
 * Bytes of the bodies read from the static assets that an isolate keeps: every body of a
 * 20,000-article site in all three codings is about 22 MB, in an isolate of 128 MB.
 */
const BODY_MEMO_BYTES = 32 * 1024 * 1024;

/** A site's pre-rendered answers: each version's fields are made once per isolate, at its first request. */
export interface Prebuilt {
  site: AnySite;
  chunks: ChunkReader;
  /** X-Edge-Cache of a 200 from memory (a 304 from memory is always `BYPASS`). */
  okEdge: EdgeStatus;
  prepared: WeakMap<AnyVersion, Prepared>;
  /** Bodies read from the static assets, kept for the next request. */
  memo: BodyMemo;
}

/** A version in force, with everything its answers need but the instant and the coding. */
export interface Prepared {
  version: AnyVersion;
  /** The codings stored at build time, best first, and identity. */
  stored: readonly Coding[];
  /** Each coding's answer, made at its first request. */
  variants: Partial<Record<Coding, Variant>>;
}

/** One coding of a version: where its bytes are, and its fields. */
export interface Variant {
  coding: Coding;
  /** Bytes made at build time, sent as they are (`encodeBody: "manual"`); else the identity body, which the runtime encodes. */
  precompressed: boolean;
  /** The length of the bytes sent: what a HEAD says its GET would carry. */
  length: number;
  /** The bytes, when the site holds them in memory (a site straight from the build). */
  body?: Bytes;
  /** Their file in the static assets, for a site from the generated module. */
  file?: string;
  /** The version's own fields with this coding's ETag (media type, validators, Link): what the edge cache stores with the body. */
  own: [string, string][];
  /** Fields of the 200, except Cache-Control. */
  ok: [string, string][];
  /** Fields of the 304, except Cache-Control. */
  notModified: [string, string][];
  /** The complete fields while no publication is due, when Cache-Control is the same at every instant. */
  steady?: ConditionalFields;
}

/**
 * The pre-rendered answers of a site. `okEdge` is what their 200s say in X-Edge-Cache:
 * `BYPASS`, or `MISS` when the edge cache stands in front of them (`EDGE_CACHE = "all"`,
 * where a 200 from memory is sent only when the cache had no copy).
 */
export function createPrebuilt(
  site: AnySite,
  chunks: ChunkReader,
  okEdge: EdgeStatus = 'BYPASS',
): Prebuilt {
  return {
    site,
    chunks,
    okEdge,
    prepared: new WeakMap(),
    memo: new BodyMemo(BODY_MEMO_BYTES),
  };
}

/**
 * The pre-rendered version of a GET or HEAD (the method is checked before) in force at the
 * moment, prepared; undefined when the router answers instead: a `/feed.json` query, an
 * unknown path or a redirect, an article not yet published.
 */
export function findPrebuilt(
  prebuilt: Prebuilt,
  request: Request,
  moment: Moment,
): Prepared | undefined {
  const { path, query } = splitTarget(request.url);
  if (query !== '' && path === '/feed.json' && isFeedQuery(new URLSearchParams(query)))
    return undefined;
  const version = selectVersion(prebuilt.site, path, moment.now);
  if (version === undefined) return undefined;
  let prepared = prebuilt.prepared.get(version);
  if (prepared === undefined) {
    const stored = CODINGS.filter(
      (coding) => coding === 'identity' || storedCodingOf(version, coding) !== undefined,
    );
    prepared = { version, stored, variants: {} };
    prebuilt.prepared.set(version, prepared);
  }
  return prepared;
}

/** Where a version's body in a stored coding is: an index of `BuiltSite.coded`, or a length of a file; undefined when not stored. */
function storedCodingOf(version: AnyVersion, coding: 'br' | 'gzip'): number | undefined {
  return 'parts' in version ? version.codings?.[coding] : version.body[coding];
}

/**
 * The coding of a version that a request asks for (src/http/content-coding.ts), with its fields,
 * made once per isolate. Codings stored at build time come first: among them and identity the
 * request's choice, so a reader taking both br and gzip of a body stored only in gzip gets the
 * gzip bytes, not br the runtime would have to make. Only when the reader takes none of the
 * stored ones is the identity body sent with `Content-Encoding` set, for the runtime to compress
 * as it sends it (gzip before br: less CPU), under a weak tag: those bytes are the
 * runtime's, not the build's.
 */
export function selectVariant(prebuilt: Prebuilt, prepared: Prepared, request: Request): Variant {
  const { version, stored: storedCodings } = prepared;
  const value = readAcceptEncoding(request);
  let coding = negotiateCoding(value, storedCodings);
  if (coding === 'identity' && value !== null && storedCodings.length < CODINGS.length)
    coding = negotiateCoding(value, RUNTIME_CODINGS);
  let variant = prepared.variants[coding];
  if (variant === undefined) {
    const stored = coding === 'identity' ? undefined : storedCodingOf(version, coding);
    const precompressed = stored !== undefined;
    const etag = codedEtag(version.etag, coding, coding !== 'identity' && !precompressed);
    const own = [...versionFields({ ...version, etag }), ...encodingFields(coding)];
    const { site, okEdge } = prebuilt;
    const fileCoding: BodyCoding = precompressed ? coding : 'identity';
    variant = {
      coding,
      precompressed,
      ...locateBody(prebuilt, version, fileCoding),
      own,
      ok: [...own, ...listSharedFields(version.type, true, okEdge, site)],
      notModified: filterKeptOn304([
        ...own,
        ...listSharedFields(version.type, true, 'BYPASS', site),
      ]),
    };
    prepared.variants[coding] = variant;
  }
  return variant;
}

/** A version's body in a coding it has: bytes in memory (the build's, or the bundle's resident ones), or the file that holds them. */
function locateBody(
  prebuilt: Prebuilt,
  version: AnyVersion,
  coding: BodyCoding,
): { length: number; body?: Bytes; file?: string } {
  if ('parts' in version) {
    const site = prebuilt.site;
    const index = coding === 'identity' ? undefined : version.codings?.[coding];
    const coded = 'coded' in site && index !== undefined ? site.coded[index] : undefined;
    const body = (coded as Bytes | undefined) ?? bodyOf(prebuilt.chunks, version);
    return { length: body.byteLength, body };
  }
  const resident = version.body.resident?.[coding];
  if (resident !== undefined) {
    const body = prebuilt.chunks.bytes(resident);
    return { length: body.byteLength, body };
  }
  return {
    length: version.body[coding] ?? version.body.identity,
    file: bodyFilePath(version.body.name, coding),
  };
}

/**
 * The bytes of a variant: from memory, else read from the static assets (and kept, within the
 * memo's budget). Without an `ASSETS` binding a site from the generated module has no bodies.
 */
export function readVariant(
  prebuilt: Prebuilt,
  variant: Variant,
  assets: AssetsBinding | undefined,
): Bytes | Promise<Bytes> {
  if (variant.body !== undefined) return variant.body;
  const file = variant.file as string;
  const kept = prebuilt.memo.get(file);
  if (kept !== undefined) return kept;
  if (!assets) throw new Error(`the Worker has no ASSETS binding to read ${file} from`);
  return readAssetFile(assets, file).then((bytes) => {
    prebuilt.memo.set(file, bytes);
    return bytes;
  });
}

/**
 * Answers a pre-rendered version in the coding of `variant` (by default the one the request
 * asks for): 200 with the body (none for HEAD), or 304 with that coding's ETag when the
 * request's validators match any coding of the body (RFC 9110 §13.2.2). Nothing is computed
 * per request but the coding and Cache-Control, and that only while a scheduled publication is
 * due; a body is read from the static assets only for a 200 to a GET, once per isolate while
 * the memo keeps it.
 */
export function answerPrebuilt(
  prebuilt: Prebuilt,
  prepared: Prepared,
  request: Request,
  moment: Moment,
  variant: Variant = selectVariant(prebuilt, prepared, request),
  assets?: AssetsBinding,
): Response | Promise<Response> {
  const { version } = prepared;
  const fields = fieldsAt(prebuilt, version, variant, moment);
  const options: SendOptions = variant.precompressed ? { encodeBody: 'manual' } : {};
  const send = (body: Bytes | null): Response =>
    answerConditional(request, version, moment.now, body, fields, {
      ...options,
      length: variant.length,
    });
  if (request.method === 'HEAD') return send(null);
  // Bytes at hand: answerConditional decides between 200 and 304, once.
  const known = variant.body ?? prebuilt.memo.get(variant.file as string);
  if (known !== undefined) return send(known);
  // A reader whose copy is current costs no read of the file.
  if (isNotModified(request.headers, version, moment.now)) return send(null);
  return Promise.resolve(readVariant(prebuilt, variant, assets)).then(send);
}

function fieldsAt(
  prebuilt: Prebuilt,
  version: AnyVersion,
  variant: Variant,
  moment: Moment,
): ConditionalFields {
  const { lifetime } = version;
  const { cache } = prebuilt.site.config;
  if (moment.nextChangeAt === undefined) {
    // With no publication due, a lifetime's Cache-Control is the same at every instant.
    if (variant.steady === undefined) {
      const cacheControl: [string, string] = [
        'Cache-Control',
        createCacheControl(lifetime, cache, moment.now),
      ];
      variant.steady = {
        ok: new Headers([...variant.ok, cacheControl]),
        notModified: new Headers([...variant.notModified, cacheControl]),
      };
    }
    return variant.steady;
  }
  const cacheControl: [string, string] = [
    'Cache-Control',
    createCacheControl(lifetime, cache, moment.now, moment.nextChangeAt),
  ];
  return {
    ok: [...variant.ok, cacheControl],
    notModified: [...variant.notModified, cacheControl],
  };
}

/**
 * The path and query of an absolute URL as `Request.url` serializes it (so the path is
 * already `URL.pathname`), without parsing the whole URL.
 * @example splitTarget('https://news.example/feed.json?limit=2') // { path: '/feed.json', query: 'limit=2' }
 */
export function splitTarget(url: string): { path: string; query: string } {
  const authority = url.indexOf('//');
  const start = url.indexOf('/', authority < 0 ? 0 : authority + 2);
  if (start < 0) return { path: '/', query: '' };
  let end = url.indexOf('#', start);
  if (end < 0) end = url.length;
  const mark = url.indexOf('?', start);
  if (mark < 0 || mark > end) return { path: url.slice(start, end), query: '' };
  return { path: url.slice(start, mark), query: url.slice(mark + 1, end) };
}
