/**
 * Packs reply units of multi-record answers (scan, query, batch) into proto
 * messages. Several units share one proto message until it grows past a
 * threshold; the client accepts any split, and the real server also packs.
 */
import { type AsMsg, encodeAsMsg, headerOnlyReply } from './as-msg';
import { encodeProto, ProtoType } from './framing';
import { Info3 } from './protocol';

/** Flush a proto message once its body passes this many bytes. */
const FLUSH_BYTES = 128 * 1024;

/** Collects reply units and cuts them into proto messages. */
export class ReplyPacker {
  private readonly messages: Buffer[] = [];
  private units: Buffer[] = [];
  private size = 0;

  /** Adds one unit. */
  add(unit: AsMsg): void {
    const buf = encodeAsMsg(unit);
    this.units.push(buf);
    this.size += buf.length;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  /** Ends the current proto message, if it has units. */
  flush(): void {
    if (this.units.length === 0) return;
    this.messages.push(encodeProto(ProtoType.AS_MSG, Buffer.concat(this.units, this.size)));
    this.units = [];
    this.size = 0;
  }

  /**
   * Flushes and appends the end marker: a lone 22-byte unit with info3 LAST
   * and the given result code, in its own proto message (as the real server
   * sends it).
   */
  finish(resultCode = 0): Buffer[] {
    this.flush();
    this.messages.push(
      encodeProto(ProtoType.AS_MSG, encodeAsMsg(headerOnlyReply(resultCode, 0, 0, Info3.LAST))),
    );
    return this.messages;
  }
}

/** A whole reply consisting of one header-only unit (errors, single-record answers). */
export function singleUnitReply(unit: AsMsg): Buffer {
  return encodeProto(ProtoType.AS_MSG, encodeAsMsg(unit));
}
