import { NOSNIFF } from './headers.ts';

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/**
 * The method gate, in front of everything else: undefined for GET and HEAD, which the routes
 * answer; 204 to OPTIONS (a CORS preflight); 405 with Allow to any other method (RFC 9110
 * §15.5.6). Nothing after it needs to look at the method again but to drop a HEAD's body.
 */
export function answerMethod(method: string): Response | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: [
        ['Allow', ALLOWED_METHODS],
        ['Access-Control-Allow-Origin', '*'],
        ['Access-Control-Allow-Methods', ALLOWED_METHODS],
        ['Access-Control-Allow-Headers', 'If-None-Match, If-Modified-Since'],
        ['Access-Control-Max-Age', '86400'],
        NOSNIFF,
      ],
    });
  }
  return new Response(`Method ${method} is not allowed here; use GET or HEAD.\n`, {
    status: 405,
    headers: [
      ['Allow', ALLOWED_METHODS],
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Cache-Control', 'no-store'],
      NOSNIFF,
    ],
  });
}
