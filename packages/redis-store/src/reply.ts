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
