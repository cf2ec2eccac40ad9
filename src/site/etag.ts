/** Base64url characters of the digest a tag keeps: 162 bits, far beyond any chance of two bodies sharing one. */
const TAG_LENGTH = 27;

/**
 * Formats the bytes of a SHA-256 digest as a strong entity tag, quoted (RFC 9110 §8.8.3): the
 * first 27 characters of its base64url form, all of them etagc. The build hashes pre-rendered
 * bodies with node:crypto and the Worker hashes query results with crypto.subtle; both format
 * here. Query results carry a `q` before the characters, so their tags never equal a body's.
 * @example formatEtag(digest, 'query') // '"qK3xF…"' (1 + 27 characters between the quotes)
 */
export function formatEtag(
  digest: Uint8Array | ArrayBuffer,
  origin: 'prebuilt' | 'query' = 'prebuilt',
): string {
  const bytes = digest instanceof Uint8Array ? digest : new Uint8Array(digest);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
  return `"${origin === 'query' ? 'q' : ''}${base64url.slice(0, TAG_LENGTH)}"`;
}
