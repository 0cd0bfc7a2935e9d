import { CorruptSessionError } from '@session-stores/core';
import { isWrongType } from './errors';
import { sha1Hex } from './lua';
import { replyNumber, replyText } from './reply';
import { ScriptReply } from './scripts';

/** How often a rewrite retries when the value changed between its read and its write. */
const COMPARE_AND_SET_ATTEMPTS = 3;

/** The store-specific steps of {@link rewriteStored}. */
export interface StoredRewrite {
  /** GET of the key, one bounded round trip. */
  read(): Promise<unknown>;
  /**
   * The text to store instead of `text` (the session with its new cookie), or undefined
   * to leave it. Throws CorruptSessionError when `text` cannot be read: it is left alone.
   */
  rewrite(text: string): Promise<string | undefined>;
  /** Runs COMPARE_AND_SET with the SHA1 of the text read and the new text; resolves its reply. */
  compareAndSet(sha: string, next: string): Promise<unknown>;
}

/**
 * touch for a value the server cannot edit (a custom serializer, a legacy value): reads it,
 * rewrites it in the app, and writes it back only if it is still the one read, again (a few
 * times) when it changed meanwhile. A missing key, another Redis type or a value that cannot
 * be read is left alone: touch never rewrites or extends data it cannot read; get reports it.
 */
export async function rewriteStored(steps: StoredRewrite): Promise<void> {
  for (let attempt = 0; attempt < COMPARE_AND_SET_ATTEMPTS; attempt++) {
    const stored = await steps.read().catch((err: unknown) => {
      if (isWrongType(err)) return null;
      throw err;
    });
    if (stored == null) return;
    const text = replyText(stored);
    let next: string | undefined;
    try {
      next = await steps.rewrite(text);
    } catch (err) {
      if (err instanceof CorruptSessionError) return;
      throw err;
    }
    if (next === undefined) return;
    if (replyNumber(await steps.compareAndSet(sha1Hex(text), next)) !== ScriptReply.Changed) return;
  }
}
