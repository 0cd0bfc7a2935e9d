import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ErrorCode, MemoryStore, type SessionData } from '../src';
import { enableOpenTelemetry, METRIC_NAMES } from '../src/opentelemetry';

const session = {
  cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() },
  n: 1,
} as unknown as SessionData;

/** A tracer and a meter provider exporting to memory, and the bridge on them. */
function telemetry() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported on demand (forceFlush) only: the interval is never reached in a test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const bridge = enableOpenTelemetry({ tracerProvider, meterProvider });
  const metrics = async () => {
    await reader.forceFlush();
    const points = new Map<string, Array<{ attributes: Record<string, unknown>; value: unknown }>>();
    for (const resource of exporter.getMetrics())
      for (const scope of resource.scopeMetrics)
        for (const metric of scope.metrics)
          points.set(
            metric.descriptor.name,
            metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
          );
    return points;
  };
  return {
    bridge,
    spans,
    metrics,
    close: async () => {
      bridge.disable();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function started<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

describe('the OpenTelemetry bridge on a MemoryStore', () => {
  it('makes one CLIENT span per operation with the database attributes', async () => {
    const otel = started(telemetry());
    const store = started(new MemoryStore({ prefix: 'otel:' }));
    await store.set('a', session);
    await store.get('a');
    const spans = otel.spans.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['set MemoryStore', 'get MemoryStore']);
    expect(spans[1]?.kind).toBe(SpanKind.CLIENT);
    expect(spans[1]?.attributes).toEqual({
      'db.system.name': 'memory',
      'db.operation.name': 'get',
      'session_store.name': 'MemoryStore',
      'session_store.prefix': 'otel:',
    });
    expect(spans[1]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a failed operation has status ERROR and error.type, without the error message (it may name the session id)', async () => {
    const otel = started(telemetry());
    const store = new MemoryStore({ prefix: 'otel:' });
    await store.close();
    await store.get('secret-session-id').catch(() => undefined);
    const [span] = otel.spans.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: ErrorCode.StoreClosed });
    expect(span?.attributes['error.type']).toBe(ErrorCode.StoreClosed);
    expect(JSON.stringify([span?.attributes, span?.events, span?.status])).not.toContain('secret-session-id');
  });

  it('records operation counts, durations, errors by code and sessions listed', async () => {
    const otel = started(telemetry());
    const store = started(new MemoryStore({ prefix: 'otel:' }));
    await store.set('a', session);
    await store.set('b', session);
    await store.get('a');
    await store.all();
    await store.get('').catch(() => undefined);
    const metrics = await otel.metrics();

    const operations = metrics.get(METRIC_NAMES.operations) ?? [];
    const count = (operation: string, errorType?: string) =>
      operations.find(
        (p) => p.attributes['db.operation.name'] === operation && p.attributes['error.type'] === errorType,
      )?.value;
    expect(count('set')).toBe(2);
    expect(count('get')).toBe(1);
    expect(count('get', ErrorCode.InvalidArgument)).toBe(1);

    const errors = metrics.get(METRIC_NAMES.errors) ?? [];
    expect(errors).toEqual([
      {
        attributes: {
          'db.system.name': 'memory',
          'db.operation.name': 'get',
          'session_store.name': 'MemoryStore',
          'error.type': ErrorCode.InvalidArgument,
        },
        value: 1,
      },
    ]);

    const durations = metrics.get(METRIC_NAMES.duration) ?? [];
    const setDuration = durations.find((p) => p.attributes['db.operation.name'] === 'set')
      ?.value as Histogram;
    expect(setDuration.count).toBe(2);
    expect(setDuration.min).toBeGreaterThanOrEqual(0);

    expect(metrics.get(METRIC_NAMES.sessionsListed)?.[0]?.value).toBe(2);
  });

  it('disable() stops the spans', async () => {
    const otel = started(telemetry());
    const store = started(new MemoryStore({ prefix: 'otel:' }));
    otel.bridge.disable();
    otel.bridge.disable();
    await store.set('a', session);
    expect(otel.spans.getFinishedSpans()).toEqual([]);
  });
});

describe('the OpenTelemetry bridge without @opentelemetry/api', () => {
  it('warns once and does nothing', async () => {
    jest.resetModules();
    jest.doMock('@opentelemetry/api', () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    cleanups.push(() => {
      emitWarning.mockRestore();
      jest.dontMock('@opentelemetry/api');
      jest.resetModules();
    });
    const isolated = require('../src/opentelemetry') as typeof import('../src/opentelemetry');
    const first = isolated.enableOpenTelemetry();
    const second = isolated.enableOpenTelemetry();
    expect([first.enabled, second.enabled]).toEqual([false, false]);
    first.disable();
    expect(emitWarning).toHaveBeenCalledTimes(1);
    expect(String(emitWarning.mock.calls[0]?.[0])).toContain('@opentelemetry/api could not be loaded');
    // Stores keep working: nobody subscribed.
    const { MemoryStore: IsolatedStore } = require('../src') as typeof import('../src');
    const store = started(new IsolatedStore());
    await store.set('a', session);
    await expect(store.get('a')).resolves.toMatchObject({ n: 1 });
  });
});
