/** Number formatting shared by the progress lines and the tables. */

/** 47100 -> "47.1k", 1234567 -> "1.23M", 9.24 -> "9.2". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(perSecond >= 100 ? 0 : 1);
}

/** Milliseconds with precision that suits their size. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Bytes as MB with one decimal (signed, for growth figures). */
export function formatMb(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** An error as one line, with its class name when it has a telling one. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const firstLine = err.message.split('\n')[0] ?? '';
  return err.name === 'Error' ? firstLine : `${err.name}: ${firstLine}`;
}

/** "GET 1.00 EVALSHA 1.00 SET 1.00": the commands of one request, most frequent first. */
export function formatCommands(perRequest: Record<string, number> | undefined): string {
  if (!perRequest) return '';
  return Object.entries(perRequest)
    .filter(([, n]) => n >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([command, n]) => `${command.toUpperCase()} ${n.toFixed(2)}`)
    .join(' ');
}
