import { createConnection } from 'node:net';

/** An error reply from the server (`-ERR ...`), kept apart from transport errors. */
export class RespError extends Error {
  override name = 'RespError';
}

/**
 * A decoded RESP2 reply: simple and bulk strings become strings, integers numbers, nil `null`,
 * arrays nested arrays; an error nested inside an array (e.g. from EXEC) is a {@link RespError}.
 */
export type RespReply = string | number | null | RespError | RespReply[];

/** Where to send commands, with the optional credentials and database of a `redis://` URL. */
export interface RespTarget {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  /** Database index selected before the command; omitted means the server's default (0). */
  db?: number | undefined;
}

/** Options of {@link respCommand}. */
export interface RespCommandOptions {
  /** Gives up (and closes the socket) after this long. Default 15 000 ms. */
  timeoutMs?: number;
}

/** Encodes one command as a RESP array of bulk strings, the form every Redis version accepts. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `pos`; `undefined` means more bytes are needed. */
function parseAt(buf: Buffer, pos: number): [RespReply, number] | undefined {
  if (pos >= buf.length) return undefined;
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[pos] ?? 0);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new RespError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buf.length < next + length + 2) return undefined;
      return [buf.toString('utf8', next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: RespReply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseAt(buf, cursor);
        if (!parsed) return undefined;
        items.push(parsed[0]);
        cursor = parsed[1];
      }
      return [items, cursor];
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Incremental RESP2 decoder: feed it socket chunks, get back the replies completed so far. */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends `chunk` and returns every reply it completed, in order. */
  push(chunk: Buffer): RespReply[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const replies: RespReply[] = [];
    let pos = 0;
    for (;;) {
      const parsed = parseAt(this.buffer, pos);
      if (!parsed) break;
      replies.push(parsed[0]);
      pos = parsed[1];
    }
    this.buffer = this.buffer.subarray(pos);
    return replies;
  }
}

/**
 * Sends several commands on one fresh connection (after AUTH and SELECT when the target asks for them)
 * and resolves with their replies. Error replies are returned, not thrown; transport failures reject.
 */
export function respPipeline(
  target: RespTarget,
  commands: readonly (readonly string[])[],
  options: RespCommandOptions = {},
): Promise<RespReply[]> {
  const prelude: string[][] = [];
  if (target.password !== undefined) {
    prelude.push(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
  }
  if (target.db) prelude.push(['SELECT', String(target.db)]);
  const all = [...prelude, ...commands];
  const timeoutMs = options.timeoutMs ?? 15_000;

  return new Promise((resolve, reject) => {
    const parser = new RespParser();
    const replies: RespReply[] = [];
    let settled = false;
    const socket = createConnection({ host: target.host, port: target.port });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const preludeError = replies.slice(0, prelude.length).find((r) => r instanceof RespError);
      if (error) reject(error);
      else if (preludeError instanceof RespError) reject(preludeError);
      else resolve(replies.slice(prelude.length));
    };
    const timer = setTimeout(
      () => finish(new Error(`no reply from ${target.host}:${target.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(Buffer.concat(all.map(encodeCommand))));
    socket.on('data', (chunk: Buffer) => {
      try {
        replies.push(...parser.push(chunk));
      } catch (error) {
        return finish(error as Error);
      }
      if (replies.length >= all.length) finish(undefined);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      finish(new Error(`connection to ${target.host}:${target.port} closed before all replies arrived`)),
    );
  });
}

/**
 * Sends one command on a fresh connection and resolves with its reply; an error reply rejects with a
 * {@link RespError}. Deliberately tiny: it exists so tests can inspect a server without a client library.
 */
export async function respCommand(
  target: RespTarget,
  args: readonly string[],
  options: RespCommandOptions = {},
): Promise<RespReply> {
  const [reply = null] = await respPipeline(target, [args], options);
  if (reply instanceof RespError) throw reply;
  return reply;
}

/** Turns a flat `[field, value, field, value, ...]` reply (SENTINEL MASTER, CONFIG GET) into a record. */
export function pairsToRecord(reply: RespReply): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(reply)) return record;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    record[String(reply[i])] = String(reply[i + 1]);
  }
  return record;
}

/** Parses the `field:value` lines of an INFO reply into a record. */
export function parseInfo(reply: RespReply): Record<string, string> {
  const record: Record<string, string> = {};
  if (typeof reply !== 'string') return record;
  for (const line of reply.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) record[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return record;
}
