/** Test helpers: a raw proto connection and small encoders. */
import { connect, type Socket } from 'node:net';
import { type AsMsg, parseAsMsg } from '../src/as-msg';
import { encodeProto, type ProtoMessage, ProtoReader, ProtoType } from '../src/framing';
import { Info3 } from '../src/protocol';

/** A raw socket to the server that collects proto messages. */
export class RawConnection {
  private readonly reader = new ProtoReader();
  private readonly queue: ProtoMessage[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.reader.push(chunk)) this.queue.push(m);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Opens a connection. */
  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  /** Sends raw bytes. */
  send(buf: Buffer): void {
    this.socket.write(buf);
  }

  /** Next proto message (rejects on close or after `timeoutMs`). */
  async next(timeoutMs = 2000): Promise<ProtoMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) return m;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  /** Sends an info request and returns the reply text. */
  async info(text: string): Promise<string> {
    this.send(encodeProto(ProtoType.INFO, Buffer.from(text, 'utf8')));
    const m = await this.next();
    return m.body.toString('utf8');
  }

  /** Reads units until one carries info3 LAST (multi-record replies). */
  async readUntilLast(): Promise<{ units: AsMsg[]; messages: number }> {
    const units: AsMsg[] = [];
    let messages = 0;
    for (;;) {
      const m = await this.next();
      messages++;
      for (const u of parseUnits(m.body)) {
        units.push(u);
        if (u.header.info3 & Info3.LAST) return { units, messages };
      }
    }
  }

  /** Closes the socket. */
  close(): void {
    this.socket.destroy();
  }
}

/** All as_msg units of a type-3 body. */
export function parseUnits(body: Buffer): AsMsg[] {
  const out: AsMsg[] = [];
  let p = 0;
  while (p < body.length) {
    const { msg, end } = parseAsMsg(body, p);
    out.push(msg);
    p = end;
  }
  return out;
}

/** Sleeps. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
