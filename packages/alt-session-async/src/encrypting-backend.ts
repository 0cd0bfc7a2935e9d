import {
  CorruptSessionError,
  type StoreIdentity,
  UndecryptableValueError,
  type ValueCipher,
} from '@session-stores/core';
import { type FieldEntry, MISSING, type SessionBackend } from './session-backend';
import type { SessionSettings } from './session-settings';

/** `backend`, encrypting values when the settings ask for it. */
export function withEncryption(backend: SessionBackend, settings: SessionSettings): SessionBackend {
  const { encryption } = settings;
  return encryption ? new EncryptingBackend(backend, encryption.cipher, encryption.allowPlaintext) : backend;
}

/**
 * A backend whose field values are encrypted at rest with core's AES-256-GCM cipher: each
 * value's JSON is encrypted on the way in and decrypted on the way out; field names (the
 * session's keys), `@created` and the expiry stay in clear. Every command keeps its single
 * round trip: `touch` and `rename` never look at values.
 */
export class EncryptingBackend implements SessionBackend {
  readonly identity: StoreIdentity;

  constructor(
    private readonly inner: SessionBackend,
    private readonly cipher: ValueCipher,
    private readonly allowPlaintext: boolean,
  ) {
    this.identity = inner.identity;
  }

  async read(
    id: string,
    fields: readonly string[],
    refresh: boolean,
  ): Promise<Array<string | null> | typeof MISSING> {
    const texts = await this.inner.read(id, fields, refresh);
    if (texts === MISSING) return texts;
    return texts.map((text, index) =>
      text === null ? null : this.decrypt(id, fields[index] as string, text),
    );
  }

  write(
    id: string,
    sets: readonly FieldEntry[],
    removes: readonly string[],
    mustExist: boolean,
  ): Promise<typeof MISSING | undefined> {
    const encrypted = sets.map(([field, text]): FieldEntry => [field, this.cipher.encrypt(text)]);
    return this.inner.write(id, encrypted, removes, mustExist);
  }

  touch(id: string): Promise<boolean> {
    return this.inner.touch(id);
  }

  destroy(id: string): Promise<void> {
    return this.inner.destroy(id);
  }

  rename(from: string, to: string): Promise<boolean> {
    return this.inner.rename(from, to);
  }

  /** A value's JSON; a value that cannot be authenticated is corrupt, its text never quoted. */
  private decrypt(id: string, field: string, text: string): string {
    if (!this.cipher.isEncrypted(text)) {
      if (this.allowPlaintext) return text;
      throw new CorruptSessionError(id, new UndecryptableValueError(`value of "${field}": not encrypted`));
    }
    try {
      return this.cipher.decrypt(text).plain;
    } catch (err) {
      throw new CorruptSessionError(id, err);
    }
  }
}
