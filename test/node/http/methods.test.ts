import { describe, expect, it } from 'vitest';
import { answerMethod } from '../../../src/http/methods.ts';

describe('answerMethod', () => {
  it('lets GET and HEAD through to the routes', () => {
    expect(answerMethod('GET')).toBeUndefined();
    expect(answerMethod('HEAD')).toBeUndefined();
  });

  it('answers a CORS preflight with 204 and what scripts may send', async () => {
    const res = answerMethod('OPTIONS');
    expect(res?.status).toBe(204);
    expect(Object.fromEntries(res?.headers ?? [])).toEqual({
      allow: 'GET, HEAD, OPTIONS',
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'If-None-Match, If-Modified-Since',
      'access-control-max-age': '86400',
      'x-content-type-options': 'nosniff',
    });
    expect(await res?.text()).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'get', 'QUERY'])(
    'refuses %s with 405, Allow and a sentence (RFC 9110 §15.5.6)',
    async (method) => {
      const res = answerMethod(method);
      expect(res?.status).toBe(405);
      expect(res?.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(res?.headers.get('cache-control')).toBe('no-store');
      expect(res?.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res?.text()).toBe(`Method ${method} is not allowed here; use GET or HEAD.\n`);
    },
  );
});
