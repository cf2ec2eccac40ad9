import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { pingHub } from '../../../src/prerender/websub-ping.ts';

describe('WebSub ping', () => {
  it('posts one publish notification per feed to the hub', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.headers['content-type']} ${body}`);
        res.writeHead(req.url === '/fail' ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const results = await pingHub(`http://127.0.0.1:${port}/`, [
        'https://news.example/rss.xml',
        'https://news.example/tags/a&b/feed.json',
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      expect(received).toEqual([
        'POST application/x-www-form-urlencoded hub.mode=publish&hub.url=https%3A%2F%2Fnews.example%2Frss.xml',
        'POST application/x-www-form-urlencoded hub.mode=publish&hub.url=https%3A%2F%2Fnews.example%2Ftags%2Fa%26b%2Ffeed.json',
      ]);
      const failed = await pingHub(`http://127.0.0.1:${port}/fail`, [
        'https://news.example/rss.xml',
      ]);
      expect(failed[0]).toMatchObject({ ok: false, detail: expect.stringContaining('500') });
    } finally {
      server.close();
    }
  });
});
