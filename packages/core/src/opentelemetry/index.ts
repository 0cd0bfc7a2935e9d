import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { MeterProvider, Span, TracerProvider } from '@opentelemetry/api';
import { type StoreOperationContext, subscribeStoreOperations } from '../store-channels';

/** Options of {@link enableOpenTelemetry}. */
export interface OpenTelemetryBridgeOptions {
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`). */
  readonly tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. Default: the global meter provider (`metrics.setGlobalMeterProvider`). */
  readonly meterProvider?: MeterProvider | undefined;
}

/** A running bridge. */
export interface OpenTelemetryBridge {
  /** `false` when `@opentelemetry/api` could not be loaded: the bridge does nothing. */
  readonly enabled: boolean;
  /** Stops listening to the store channels. Idempotent. */
  disable(): void;
}

/** The instrumentation scope of the spans and metrics. */
export const INSTRUMENTATION_NAME = '@session-stores/core';

/** The metric names, following OpenTelemetry's database client conventions where they have one. */
export const METRIC_NAMES = {
  /** Histogram, seconds: the semantic conventions' database client operation duration. */
  duration: 'db.client.operation.duration',
  /** Counter: operations completed, with or without error. */
  operations: 'session_store.operations',
  /** Counter: operations that failed, by `error.type` (the error's code). */
  errors: 'session_store.errors',
  /** Counter: sessions (or ids) that `all()`, `ids()` and `sessionsOf()` returned. */
  sessionsListed: 'session_store.sessions.listed',
} as const;

/** The semantic conventions' bucket boundaries for database operation durations, in seconds. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

let warnedMissing = false;

/**
 * Publishes every store operation (of every store in the process) as an OpenTelemetry span
 * and as metrics, by listening to the store channels of `@session-stores/core`.
 *
 * Spans are named `<operation> <store class>` (`get RedisStore`), kind CLIENT, with
 * `db.system.name` (the store's backend), `db.operation.name`, `session_store.name`,
 * `session_store.prefix` and, on failure, `error.type` (the error's stable code) and status
 * ERROR. Error messages are not recorded: some name the session id, which is a bearer token.
 *
 * Without `@opentelemetry/api` installed it warns once (a process warning) and returns a
 * bridge that does nothing.
 */
export function enableOpenTelemetry(options: OpenTelemetryBridgeOptions = {}): OpenTelemetryBridge {
  const api = loadApi();
  if (!api) return { enabled: false, disable: () => undefined };

  const tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meter = (options.meterProvider ?? api.metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
  const duration = meter.createHistogram(METRIC_NAMES.duration, {
    description: 'Duration of session store operations',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const operations = meter.createCounter(METRIC_NAMES.operations, {
    description: 'Session store operations completed, with or without error',
    unit: '{operation}',
  });
  const errors = meter.createCounter(METRIC_NAMES.errors, {
    description: 'Session store operations that failed, by error code',
    unit: '{error}',
  });
  const sessionsListed = meter.createCounter(METRIC_NAMES.sessionsListed, {
    description: 'Sessions or ids returned by all(), ids() and sessionsOf()',
    unit: '{session}',
  });

  const running = new WeakMap<StoreOperationContext, { span: Span; startedAt: number }>();
  const attributesOf = (context: StoreOperationContext): OpenTelemetryApi.Attributes => ({
    'db.system.name': context.backend,
    'db.operation.name': context.operation,
    'session_store.name': context.store,
  });

  const stop = subscribeStoreOperations({
    start(context) {
      const span = tracer.startSpan(`${context.operation} ${context.store}`, {
        kind: api.SpanKind.CLIENT,
        attributes: { ...attributesOf(context), 'session_store.prefix': context.prefix },
      });
      running.set(context, { span, startedAt: performance.now() });
    },
    error(context) {
      const entry = running.get(context);
      const code = context.code ?? 'unknown';
      entry?.span.setAttribute('error.type', code);
      entry?.span.setStatus({ code: api.SpanStatusCode.ERROR, message: code });
    },
    asyncEnd(context) {
      const entry = running.get(context);
      if (!entry) return;
      running.delete(context);
      const attributes = attributesOf(context);
      if (context.error !== undefined) attributes['error.type'] = context.code ?? 'unknown';
      entry.span.end();
      duration.record((performance.now() - entry.startedAt) / 1000, attributes);
      operations.add(1, attributes);
      if (context.error !== undefined) errors.add(1, attributes);
      else if (Array.isArray(context.result))
        sessionsListed.add(context.result.length, attributesOf(context));
    },
  });
  let stopped = false;
  return {
    enabled: true,
    disable() {
      if (stopped) return;
      stopped = true;
      stop();
    },
  };
}

/** `@opentelemetry/api`, or `undefined` (with one warning per process) when it is not installed. */
function loadApi(): typeof OpenTelemetryApi | undefined {
  try {
    // Loaded on use, so the subpath works (and says so) without the optional peer installed.
    return require('@opentelemetry/api') as typeof OpenTelemetryApi;
  } catch (err) {
    if (!warnedMissing) {
      warnedMissing = true;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      process.emitWarning(
        `@session-stores/core/opentelemetry: @opentelemetry/api could not be loaded (${reason}); ` +
          'install it to get spans and metrics. Session store telemetry stays off.',
        { code: 'SESSION_STORES_OTEL_MISSING' },
      );
    }
    return undefined;
  }
}
