import type { AerospikeRecord, RecordStream } from 'aerospike';

/**
 * Turns a scan's record stream into batches of picked values, as they arrive. The
 * stream has no back-pressure, so records are buffered while the consumer is busy;
 * only the picked values (ids) are kept. Leaving the loop early aborts the scan.
 *
 * @param stream a started scan.
 * @param pick the value kept for a record, or `undefined` to skip it.
 * @param batchSize values per yielded batch.
 */
export async function* streamBatches<T>(
  stream: RecordStream,
  pick: (record: AerospikeRecord) => T | undefined,
  batchSize: number,
): AsyncGenerator<T[]> {
  const ready: T[][] = [];
  let batch: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  stream.on('data', (record: AerospikeRecord) => {
    const value = pick(record);
    if (value === undefined) return;
    batch.push(value);
    if (batch.length >= batchSize) {
      ready.push(batch);
      batch = [];
      notify();
    }
  });
  stream.on('error', (error: unknown) => {
    failure ??= { error };
    ended = true;
    notify();
  });
  stream.on('end', () => {
    if (batch.length > 0) ready.push(batch);
    batch = [];
    ended = true;
    notify();
  });
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        yield next;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!ended) stream.abort();
  }
}

/** Resolves once `stream` ends; rejects with its error. Used where only completion matters. */
export function drain(stream: RecordStream, onRecord: (record: AerospikeRecord) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', onRecord);
    stream.on('error', reject);
    stream.on('end', () => resolve());
  });
}
