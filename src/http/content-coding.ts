/** The content codings a body can be sent in (RFC 9110 §8.4.1); `identity` is the bytes as they are. */
export type Coding = 'br' | 'gzip' | 'identity';

/** The codings of a pre-compressed body, best first: at equal q-values br wins (smaller), then gzip, then identity. */
export const CODINGS: readonly Coding[] = ['br', 'gzip', 'identity'];

/**
 * The codings the runtime compresses a body in, best first: gzip before br at equal q-values.
 * Either costs workerd milliseconds of CPU per request (about 5.7 ms in gzip and 6.9 ms in br
 * for 121 KB, BENCHMARKS.md), and its br is no smaller than gzip by much at the level it uses.
 */
export const RUNTIME_CODINGS: readonly Coding[] = ['gzip', 'br', 'identity'];

// RFC 9110 §12.4.2: weight = OWS ";" OWS "q=" qvalue, qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const ELEMENT =
  /^([!#$%&'*+.^_`|~0-9a-z-]+)(?:[ \t]*;[ \t]*q=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?))?$/i;

/**
 * The Accept-Encoding value a request's coding is chosen by. Behind Cloudflare the Worker's own
 * copy of the field is the edge's (`br, gzip`, whatever the reader sent), and the reader's is
 * `request.cf.clientAcceptEncoding` (developers.cloudflare.com fundamentals, "Accept-Encoding";
 * miniflare does the same in `wrangler dev`, where an absent field arrives as `""`). Anywhere
 * else (tests, plain workerd) the field itself.
 */
export function readAcceptEncoding(request: Request): string | null {
  const cf = (request as Request & { cf?: { clientAcceptEncoding?: unknown } }).cf;
  const client = cf?.clientAcceptEncoding;
  if (typeof client === 'string') return client === '' ? null : client;
  return request.headers.get('accept-encoding');
}

/**
 * Chooses the coding of an answer among `available` (RFC 9110 §12.5.3): the highest q-value,
 * and at equal q the one listed first in `available`. No field, or an empty one, means identity: a script
 * (`curl` without `--compressed`) gets the plain bytes. Codings are case-insensitive, `x-gzip`
 * is gzip (§8.4.1.3), `*` stands for every coding not named, and identity not named is the
 * fallback, chosen only when no coding has a q-value above 0 (`gzip;q=0.5` asks for gzip), and
 * refused by `identity;q=0`, or `*;q=0` without an `identity` entry. An element that does not
 * parse is ignored, as if it were not sent. When nothing available is acceptable (say
 * `zstd, identity;q=0`), the answer is identity anyway: §12.5.3 lets the server disregard the
 * field, and a reader is better served by the feed than by a 406 with no body it can use.
 */
export function negotiateCoding(value: string | null, available: readonly Coding[]): Coding {
  if (value === null) return 'identity';
  const weights = new Map<string, number>();
  for (const part of value.split(',')) {
    const element = ELEMENT.exec(part.trim());
    if (!element) continue;
    let coding = (element[1] as string).toLowerCase();
    if (coding === 'x-gzip') coding = 'gzip';
    const q = element[2] === undefined ? 1 : Number(element[2]);
    // A coding named twice keeps its best weight: the field is a list of preferences, not commands.
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  const star = weights.get('*');
  let chosen: Coding = 'identity';
  let best = 0;
  for (const coding of available) {
    // Identity not named is acceptable, but only as the fallback: `gzip;q=0.5` asks for gzip.
    const q =
      weights.get(coding) ??
      (star !== undefined ? star : coding === 'identity' ? Number.MIN_VALUE : 0);
    // `available` is in order of preference: a later coding wins only with a higher q.
    if (q > best) {
      chosen = coding;
      best = q;
    }
  }
  return chosen;
}

/** What an ETag of each coding adds to the identity tag's opaque part: `.` is no base64url character, so a tag never ends so by chance. */
const ETAG_SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz', identity: '' };

/**
 * The entity tag of a coding of a body, from the identity tag: a strong tag names one
 * representation, and the coding is part of it (RFC 9110 §8.8.3), so each coding has its own.
 * `weak` for bytes the runtime compresses as it sends them: the same body in the same coding,
 * but bytes this code does not fix (Cloudflare weakens tags when its edge compresses, too).
 * @example codedEtag('"abc"', 'br') // '"abc.br"'
 */
export function codedEtag(etag: string, coding: Coding, weak = false): string {
  if (coding === 'identity') return etag;
  const strong = etag.replace(/^W\//, '');
  return `${weak || strong !== etag ? 'W/' : ''}${strong.slice(0, -1)}${ETAG_SUFFIX[coding]}"`;
}

/** The Content-Encoding field of a coding: none for identity. */
export function encodingFields(coding: Coding): [string, string][] {
  return coding === 'identity' ? [] : [['Content-Encoding', coding]];
}

/**
 * The body part of an opaque tag: the tag without a coding's suffix. If-None-Match compares
 * this, so that a reader holding any coding of the body gets its 304 (Apache's `-gzip` suffix,
 * compared whole, answered those readers 200 for ever: bz.apache.org 39727).
 */
export function stripCoding(opaque: string): string {
  for (const coding of CODINGS) {
    const suffix = ETAG_SUFFIX[coding];
    if (suffix !== '' && opaque.endsWith(suffix)) return opaque.slice(0, -suffix.length);
  }
  return opaque;
}
