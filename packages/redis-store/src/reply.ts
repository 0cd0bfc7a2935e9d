/** A bulk-string reply as text: clients return strings, or Buffers when told to. */
export function replyText(reply: unknown): string {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

/** An integer reply as a number (RESP2 and RESP3 clients may give a number or a bigint-like). */
export function replyNumber(reply: unknown): number {
  return typeof reply === 'number' ? reply : Number(reply);
}

/**
 * A PTTL reply to a command sent at `sentAt` (epoch ms) as the key's expiry: no later than
 * the server's, since the reply counts from when the server ran it. `-1` (no expiry) is
 * `Infinity`; `-2` (no key) and anything unusable are `undefined`.
 */
export function expiryFromPttl(pttl: unknown, sentAt: number): number | undefined {
  const remaining = replyNumber(pttl);
  if (remaining === -1) return Number.POSITIVE_INFINITY;
  return remaining >= 0 ? sentAt + remaining : undefined;
}
