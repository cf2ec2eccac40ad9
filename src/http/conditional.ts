import { stripCoding } from './content-coding.ts';
import { filterKeptOn304 } from './headers.ts';
import { parseHttpDate } from './parse-http-date.ts';

/** The validators of a selected representation. */
export interface Validators {
  /** Strong entity tag, quoted. */
  etag: string;
  /** Epoch ms; 0 when the representation has no modification date. */
  lastModified: number;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * Parses an If-None-Match value into opaque tags (weakness dropped, since §13.1.2 uses the
 * weak comparison), `'*'`, or undefined when the value is malformed and must be ignored.
 */
function parseIfNoneMatch(value: string): string[] | '*' | undefined {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  const tags: string[] = [];
  for (const part of trimmed.split(',')) {
    const item = part.trim();
    if (item === '') continue; // #list allows empty elements (§5.6.1)
    const match = ENTITY_TAG.exec(item);
    if (!match) return undefined;
    tags.push(match[2] ?? '');
  }
  return tags.length > 0 ? tags : undefined;
}

/**
 * Decides whether a GET or HEAD can be answered 304 Not Modified (RFC 9110 §13.2.2):
 * If-None-Match first, with weak comparison; If-Modified-Since only when If-None-Match is
 * absent. A malformed field is ignored as if it were not sent. Tags are compared by their body
 * part (src/http/content-coding.ts): a reader holding the br representation of a body and one
 * holding its gzip or identity representation both have the current body.
 */
export function isNotModified(headers: Headers, validators: Validators, now: number): boolean {
  const ifNoneMatch = headers.get('if-none-match');
  const tags = ifNoneMatch === null ? undefined : parseIfNoneMatch(ifNoneMatch);
  if (tags !== undefined) {
    if (tags === '*') return true;
    const body = stripCoding(validators.etag.replace(/^W\//, '').slice(1, -1));
    return tags.some((tag) => stripCoding(tag) === body);
  }
  // A malformed If-None-Match counts as absent, so If-Modified-Since is evaluated.
  const ifModifiedSince = headers.get('if-modified-since');
  if (ifModifiedSince === null || validators.lastModified <= 0) return false;
  const since = parseHttpDate(ifModifiedSince, now);
  // §13.1.3: ignore a date that is invalid or later than the server's current time.
  if (since === undefined || since > now) return false;
  return Math.floor(validators.lastModified / 1000) * 1000 <= since;
}

/** The fields of a 200 and of the 304 that stands for it. */
export interface ConditionalFields {
  ok: Headers | [string, string][];
  /** The 304's; when absent, the fields of `ok` that a 304 keeps. */
  notModified?: Headers | [string, string][];
}

/** How an answer's body goes out: `manual` for bytes already in their Content-Encoding. */
export interface SendOptions {
  statusText?: string;
  encodeBody?: 'manual';
  /** The body's length, for a HEAD answered without reading the body; else the body's own. */
  length?: number;
}

/**
 * Answers a GET or HEAD for a representation: 304 Not Modified with no body when the
 * request's validators match it, else 200 with the body (none for HEAD). The one place where
 * a 304 is decided, for answers from memory, query results and edge-cache hits alike. A body
 * in `Content-Encoding` already is sent as it is (`encodeBody: "manual"`); with the default,
 * workerd compresses a body whose fields name a coding as it sends it.
 */
export function answerConditional(
  request: Request,
  validators: Validators,
  now: number,
  body: BodyInit | null,
  fields: ConditionalFields,
  { statusText, encodeBody, length }: SendOptions = {},
): Response {
  if (isNotModified(request.headers, validators, now))
    return new Response(null, {
      status: 304,
      headers: fields.notModified ?? filterKeptOn304(fields.ok),
    });
  const head = request.method === 'HEAD';
  const init: ResponseInit & { encodeBody?: 'manual' } = { status: 200, headers: fields.ok };
  // A HEAD carries the length its GET would send (RFC 9110 §8.6, §9.3.2), which the runtime
  // leaves out for an answer without a body; for a body it encodes itself that length is unknown.
  const bytes = length ?? (body instanceof Uint8Array ? body.byteLength : undefined);
  if (head && bytes !== undefined && (encodeBody === 'manual' || !hasCoding(fields.ok))) {
    const headers = new Headers(fields.ok);
    headers.set('Content-Length', String(bytes));
    init.headers = headers;
  }
  if (statusText !== undefined) init.statusText = statusText;
  if (encodeBody !== undefined) init.encodeBody = encodeBody;
  return new Response(head ? null : body, init);
}

function hasCoding(fields: Headers | [string, string][]): boolean {
  if (fields instanceof Headers) return fields.has('content-encoding');
  return fields.some(([name]) => name.toLowerCase() === 'content-encoding');
}
