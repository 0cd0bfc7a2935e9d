import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

type WriteHead = ServerResponse['writeHead'];

/**
 * Calls `listener` once, just before the response's headers are written, so the session can
 * decide its cookie at the last moment (after the route's writes). Node's `res.end()` and
 * `res.write()` go through `writeHead` too. Headers passed to `writeHead(status, headers)` are
 * applied first, so the listener can add to them instead of being overwritten by them.
 */
export function beforeHeaders(res: ServerResponse, listener: () => void): void {
  const original = res.writeHead;
  let fired = false;
  const writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (!fired) {
      fired = true;
      const headersIndex = typeof rest[0] === 'string' ? 1 : 0;
      const headers = rest[headersIndex];
      if (headers !== null && typeof headers === 'object' && !Array.isArray(headers) && !this.headersSent) {
        for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
          if (value !== undefined) this.setHeader(name, value);
        }
        rest.splice(headersIndex, 1);
      }
      listener();
    }
    return (original as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  };
  res.writeHead = writeHead as WriteHead;
}

/** Adds a Set-Cookie header, keeping those the app set already. */
export function appendSetCookie(res: ServerResponse, value: string): void {
  const previous = res.getHeader('Set-Cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, value]);
}
