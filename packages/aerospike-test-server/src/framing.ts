/**
 * Proto framing: every Aerospike message starts with an 8-byte header
 * (u8 version = 2, u8 type, u48 big-endian body length).
 *
 * TCP gives us a byte stream, so one message can arrive in many reads (a
 * 1.1 MB put arrives in ~18) and one read can hold several messages. The
 * reader below buffers chunks and only concatenates once a whole message is
 * there, so a large message costs one copy, not one per chunk.
 */

/** The only proto version the server and client speak. */
export const PROTO_VERSION = 2;
/** Size of the proto header that precedes every message body. */
export const PROTO_HEADER_SIZE = 8;
/** The real server refuses (and disconnects) bodies larger than 128 MiB. */
export const PROTO_SIZE_MAX = 128 * 1024 * 1024;

/** Proto message types (byte 1 of the header). */
export const ProtoType = {
  INFO: 1,
  ADMIN: 2,
  AS_MSG: 3,
  AS_MSG_COMPRESSED: 4,
} as const;

/** One complete proto message, header stripped. */
export interface ProtoMessage {
  /** Proto type (see {@link ProtoType}). */
  type: number;
  /** The body, exactly `length` bytes. */
  body: Buffer;
}

/** Thrown when a header is invalid; the connection must then be closed. */
export class ProtoFramingError extends Error {
  override name = 'ProtoFramingError';
}

/** Checks an 8-byte proto header and returns the body length. */
export function checkProtoHeader(header: Buffer): { type: number; length: number } {
  const version = header.readUInt8(0);
  const type = header.readUInt8(1);
  const length = header.readUIntBE(2, 6);
  if (version !== PROTO_VERSION) throw new ProtoFramingError(`bad proto version ${version}`);
  if (
    type !== ProtoType.INFO &&
    type !== ProtoType.ADMIN &&
    type !== ProtoType.AS_MSG &&
    type !== ProtoType.AS_MSG_COMPRESSED
  ) {
    throw new ProtoFramingError(`bad proto type ${type}`);
  }
  if (length > PROTO_SIZE_MAX) throw new ProtoFramingError(`proto size ${length} too large`);
  return { type, length };
}

/**
 * Incremental splitter of a TCP byte stream into proto messages.
 * `push()` throws {@link ProtoFramingError} as soon as a bad header is seen,
 * without waiting for its body.
 */
export class ProtoReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Header of the message being assembled, once its 8 bytes are in. */
  private pending: { type: number; length: number } | undefined;

  /** Adds a chunk and returns every message it completed, in order. */
  push(chunk: Buffer): ProtoMessage[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: ProtoMessage[] = [];
    for (;;) {
      if (this.pending === undefined) {
        if (this.buffered < PROTO_HEADER_SIZE) break;
        this.pending = checkProtoHeader(this.peek(PROTO_HEADER_SIZE));
      }
      const total = PROTO_HEADER_SIZE + this.pending.length;
      if (this.buffered < total) break;
      const all = this.flatten();
      out.push({ type: this.pending.type, body: all.subarray(PROTO_HEADER_SIZE, total) });
      this.pending = undefined;
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  /** Bytes received but not yet part of a complete message. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return this.flatten().subarray(0, n);
  }

  private flatten(): Buffer {
    if (this.chunks.length === 1 && this.chunks[0] !== undefined) return this.chunks[0];
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}

/** Prefixes a body with its proto header. */
export function encodeProto(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(PROTO_HEADER_SIZE);
  header.writeUInt8(PROTO_VERSION, 0);
  header.writeUInt8(type, 1);
  header.writeUIntBE(body.length, 2, 6);
  return Buffer.concat([header, body]);
}
