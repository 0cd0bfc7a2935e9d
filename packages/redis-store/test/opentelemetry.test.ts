import { afterAll, beforeAll, expect, test } from '@jest/globals';
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
import { ErrorCode, type SessionData } from '@session-stores/core';
import {
  enableOpenTelemetry,
  METRIC_NAMES,
  type OpenTelemetryBridge,
} from '@session-stores/core/opentelemetry';
import { cleanUpPrefix, describeWithBackend, uniquePrefix, useRedis } from '@session-stores/test-servers';
import type { RedisStore } from '../src';
import { readyStore } from './helpers';

const session = {
  cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString(), path: '/' },
  user: 'u',
} as unknown as SessionData;

describeWithBackend('redis', 'RedisStore seen through the OpenTelemetry bridge', () => {
  const redis = useRedis();
  const prefix = uniquePrefix('otel');
  cleanUpPrefix(redis, prefix);

  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  let bridge: OpenTelemetryBridge;
  let store: RedisStore;

  beforeAll(async () => {
    bridge = enableOpenTelemetry({ tracerProvider, meterProvider });
    store = await readyStore({ url: redis().url, prefix });
  });
  afterAll(async () => {
    bridge.disable();
    await store?.close();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
  });

  test('each operation on a real Redis is a span and a duration, corrupt data an error by code', async () => {
    spans.reset();
    await store.set('a', session);
    await store.get('a');
    await store.touch('a', session);
    expect(await store.ids()).toEqual(['a']);
    await redis().command('SET', `${prefix}bad`, '{"cookie": tru');
    await expect(store.get('bad')).rejects.toMatchObject({ code: ErrorCode.CorruptSession });

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual([
      'set RedisStore',
      'get RedisStore',
      'touch RedisStore',
      'ids RedisStore',
      'get RedisStore',
    ]);
    expect(
      finished.every((s) => s.kind === SpanKind.CLIENT && s.attributes['db.system.name'] === 'redis'),
    ).toBe(true);
    expect(finished[4]?.status).toEqual({ code: SpanStatusCode.ERROR, message: ErrorCode.CorruptSession });

    await reader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    const points = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
    const getDuration = points(METRIC_NAMES.duration).find(
      (p) => p.attributes['db.operation.name'] === 'get' && p.attributes['error.type'] === undefined,
    );
    expect((getDuration?.value as Histogram).count).toBe(1);
    expect((getDuration?.value as Histogram).sum).toBeGreaterThan(0);
    expect(points(METRIC_NAMES.errors).map((p) => [p.attributes['error.type'], p.value])).toEqual([
      [ErrorCode.CorruptSession, 1],
    ]);
    expect(points(METRIC_NAMES.sessionsListed).map((p) => p.value)).toEqual([1]);
  });
});
