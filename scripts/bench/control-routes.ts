// Control routes of the benchmark Worker: constant bytes of a given size, made once per
// isolate, with nothing else done per request. They are the floor the app is compared with.

const decoder = new TextDecoder();
const TEXT = 'text/plain; charset=utf-8';

/**
 * Answers `/__control/<size>` (a string body), `/__control-bytes/<size>` (a Uint8Array body),
 * `/__control-wide/<size>` (a string that ends in one character outside Latin-1, so V8 keeps
 * it two bytes per character, as any text with curly quotes or dashes) and `/__control/304`
 * (no body); undefined for any other path.
 * @example createControlRoutes()('/__control/1024') // 200 with 1,024 bytes of "x"
 */
export function createControlRoutes(): (path: string) => Response | undefined {
  const strings = new Map<number, string>();
  const bytes = new Map<number, Uint8Array<ArrayBuffer>>();
  const wide = new Map<number, string>();
  return (path) => {
    if (path === '/__control/304')
      return new Response(null, { status: 304, headers: { ETag: '"control"' } });
    const match = /^\/__control(-bytes|-wide)?\/(\d{1,9})$/.exec(path);
    if (!match) return undefined;
    const size = Number(match[2]);
    if (match[1] === '-wide') {
      let body = wide.get(size);
      // "…" is three bytes in UTF-8: the body still has exactly `size` bytes.
      if (body === undefined) {
        body = `${decoder.decode(new Uint8Array(Math.max(0, size - 3)).fill(0x78))}…`;
        wide.set(size, body);
      }
      return new Response(body, { headers: { 'Content-Type': TEXT } });
    }
    if (match[1]) {
      let body = bytes.get(size);
      if (!body) {
        body = new Uint8Array(size).fill(0x78);
        bytes.set(size, body);
      }
      return new Response(body, { headers: { 'Content-Type': TEXT } });
    }
    let body = strings.get(size);
    // Decoded from bytes, the string is flat and one-byte, like a literal of that length.
    if (body === undefined) {
      body = decoder.decode(new Uint8Array(size).fill(0x78));
      strings.set(size, body);
    }
    return new Response(body, { headers: { 'Content-Type': TEXT } });
  };
}

/** A Worker that only has the control routes: the startup baseline without the site. */
export function createControlWorker(): { fetch(request: Request): Response } {
  const controls = createControlRoutes();
  return {
    fetch(request) {
      const url = request.url;
      const at = url.indexOf('/__');
      return (at >= 0 && controls(url.slice(at))) || new Response('Not found.\n', { status: 404 });
    },
  };
}
