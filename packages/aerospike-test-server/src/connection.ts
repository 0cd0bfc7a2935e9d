/**
 * One client connection: splits the byte stream into proto messages and
 * answers each in order. Bad framing closes the connection (as the real
 * server does); nothing a client sends may throw out of here.
 */
import type { Socket } from 'node:net';
import { inflateSync } from 'node:zlib';
import { AsMsgParseError, findField, headerOnlyReply, parseAsMsg } from './as-msg';
import { executeBatch } from './batch';
import { checkProtoHeader, encodeProto, PROTO_HEADER_SIZE, ProtoReader, ProtoType } from './framing';
import { handleInfoRequest, type InfoContext } from './info-commands';
import { FieldType, Info1, ResultCode } from './protocol';
import { executeRecordRequest, prepareRecordRequest } from './record-ops';
import type { RecordStore } from './record-store';
import { singleUnitReply } from './reply-packer';
import { executeScan } from './scan';

/** Shared state a connection needs. */
export interface ConnectionContext {
  store: RecordStore;
  info: InfoContext;
}

/** Result code byte offset in an admin (security) reply body. */
const ADMIN_RESULT_OFFSET = 1;
/** Admin header size after the proto header. */
const ADMIN_HEADER_SIZE = 16;
/** Community Edition answers every security command with "security not supported". */
const SECURITY_NOT_SUPPORTED = 51;

/** Outcome of one request: reply bytes, and whether to close afterwards. */
interface Handled {
  replies: Buffer[];
  close: boolean;
}

/** Answers one AS_MSG request body. */
export function handleAsMsg(store: RecordStore, body: Buffer): Handled {
  let msg: ReturnType<typeof parseAsMsg>['msg'];
  try {
    msg = parseAsMsg(body).msg;
  } catch (e) {
    if (!(e instanceof AsMsgParseError) && !(e instanceof RangeError)) throw e;
    // A request whose sizes do not add up gets a parameter error, then the connection closes.
    return { replies: [singleUnitReply(headerOnlyReply(ResultCode.PARAMETER))], close: true };
  }
  if (msg.header.info1 & Info1.BATCH) return { replies: executeBatch(store, msg), close: false };
  if (findField(msg, FieldType.DIGEST_RIPE) !== undefined || findField(msg, FieldType.KEY) !== undefined) {
    const h = msg.header;
    const req = prepareRecordRequest(
      store,
      {
        info1: h.info1,
        info2: h.info2,
        info3: h.info3,
        info4: h.info4,
        generation: h.generation,
        recordTtl: h.recordTtl,
      },
      msg.fields,
      msg.ops,
    );
    const unit = typeof req === 'number' ? headerOnlyReply(req) : executeRecordRequest(req);
    return { replies: [singleUnitReply(unit)], close: false };
  }
  return { replies: executeScan(store, msg), close: false };
}

function handleCompressed(store: RecordStore, body: Buffer): Handled {
  // u64 BE size of the original message, then a zlib stream of a whole type-3 message.
  if (body.length < 8) return { replies: [], close: true };
  const expected = Number(body.readBigUInt64BE(0));
  let inner: Buffer;
  try {
    inner = inflateSync(body.subarray(8), { maxOutputLength: Math.max(expected, PROTO_HEADER_SIZE) });
  } catch {
    return { replies: [], close: true };
  }
  if (inner.length !== expected || inner.length < PROTO_HEADER_SIZE) return { replies: [], close: true };
  const { type, length } = checkProtoHeader(inner);
  if (type !== ProtoType.AS_MSG || length !== inner.length - PROTO_HEADER_SIZE)
    return { replies: [], close: true };
  return handleAsMsg(store, inner.subarray(PROTO_HEADER_SIZE));
}

function adminReply(): Buffer {
  const body = Buffer.alloc(ADMIN_HEADER_SIZE);
  body.writeUInt8(SECURITY_NOT_SUPPORTED, ADMIN_RESULT_OFFSET);
  return encodeProto(ProtoType.ADMIN, body);
}

/** Handles one complete proto message. */
function handleMessage(ctx: ConnectionContext, type: number, body: Buffer): Handled {
  switch (type) {
    case ProtoType.INFO:
      return { replies: [encodeProto(ProtoType.INFO, handleInfoRequest(ctx.info, body))], close: false };
    case ProtoType.AS_MSG:
      return handleAsMsg(ctx.store, body);
    case ProtoType.AS_MSG_COMPRESSED:
      return handleCompressed(ctx.store, body);
    case ProtoType.ADMIN:
      return { replies: [adminReply()], close: false };
    default:
      return { replies: [], close: true };
  }
}

/** Serves a freshly accepted socket until it closes. */
export function serveConnection(socket: Socket, ctx: ConnectionContext): void {
  const reader = new ProtoReader();
  let closing = false;
  socket.setNoDelay(true);
  // Errors (resets, writes after close) only end this connection.
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (closing || socket.destroyed) return;
    try {
      for (const m of reader.push(chunk)) {
        const { replies, close } = handleMessage(ctx, m.type, m.body);
        if (replies.length > 0)
          socket.write(replies.length === 1 ? (replies[0] as Buffer) : Buffer.concat(replies));
        if (close) {
          closing = true;
          socket.end(() => socket.destroy());
          return;
        }
      }
    } catch {
      // Malformed framing or an unexpected failure: drop the connection, keep the server.
      socket.destroy();
    }
  });
}
