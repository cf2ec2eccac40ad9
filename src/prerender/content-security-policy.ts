import { createHash } from 'node:crypto';

/**
 * The `Content-Security-Policy` of every page: no script, no frames, no forms, images over
 * http(s), and as style only the one inline stylesheet, named by its SHA-256 (a CSP Level 3
 * hash source), so that no other style, injected or not, applies.
 */
export function composeContentSecurityPolicy(stylesheet: string): string {
  const styleHash = createHash('sha256').update(stylesheet).digest('base64');
  return `default-src 'none'; style-src 'sha256-${styleHash}'; img-src https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
