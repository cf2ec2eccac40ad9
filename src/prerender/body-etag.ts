import { createHash } from 'node:crypto';
import { formatEtag } from '../site/etag.ts';

/** Strong entity tag (RFC 9110 §8.8.3), quoted, from the SHA-256 of a body's UTF-8 bytes, given as the parts it is joined from. */
export function computeBodyEtag(parts: Iterable<Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return formatEtag(hash.digest());
}
