import autocannon from 'autocannon';

/** One request with a session cookie; the body parsed as JSON (or `{ text }` when it is not). */
export async function request(
  url: string,
  method: 'GET' | 'POST',
  cookie: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers: { cookie } });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: { text } };
  }
}

/** One autocannon run, each request carrying the next session cookie in turn. */
export function cannon(
  url: string,
  method: 'GET' | 'POST',
  cookies: readonly string[],
  connections: number,
  duration: number,
): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, cookie: cookies[next++ % cookies.length] },
        }),
      },
    ],
  });
}
