import { expect, test } from '@jest/globals';
import { decodeValue, encodeValue } from '../src/value-codec';

const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

test('plain JSON is stored as plain JSON (alt-session data reads back the same)', () => {
  expect(encodeValue({ a: [1, 'x', null, true] })).toBe('{"a":[1,"x",null,true]}');
  expect(decodeValue('{"a":[1,"x",null,true]}')).toEqual({ a: [1, 'x', null, true] });
  expect(encodeValue('text')).toBe('"text"');
});

test('Dates are tagged and come back as Dates at any depth; invalid Dates become null', () => {
  const when = new Date('2020-05-06T07:08:09.010Z');
  expect(encodeValue(when)).toBe('{"$date":"2020-05-06T07:08:09.010Z"}');
  const back = roundTrip({ list: [when, { when }], when }) as { list: [Date, { when: Date }]; when: Date };
  expect(back.when).toBeInstanceOf(Date);
  expect(back.list[0].getTime()).toBe(when.getTime());
  expect(back.list[1].when.getTime()).toBe(when.getTime());
  expect(roundTrip(new Date(Number.NaN))).toBeNull();
});

test('objects that look like tags are escaped, so they never turn into Dates', () => {
  for (const value of [
    { $date: '2020-01-01T00:00:00.000Z' },
    { $esc: { $date: 'x' } },
    { $esc: 1 },
    { nested: { $date: 'also' } },
  ]) {
    expect(roundTrip(value)).toEqual(value);
  }
  // Two keys are not a tag; nothing to escape.
  expect(encodeValue({ $date: 'x', other: 1 })).toBe('{"$date":"x","other":1}');
});

test('JSON.stringify rules apply: toJSON, dropped undefined and functions, null in arrays, NaN to null', () => {
  expect(roundTrip({ a: undefined, f: () => 1, n: Number.NaN, list: [undefined, Infinity] })).toEqual({
    n: null,
    list: [null, null],
  });
  expect(roundTrip({ custom: { toJSON: () => 'custom!' } })).toEqual({ custom: 'custom!' });
  expect(roundTrip(Buffer.from('hi'))).toEqual({ type: 'Buffer', data: [104, 105] });
  expect(roundTrip(new Map([['a', 1]]))).toEqual({});
});

test('a key named __proto__ stays an ordinary key and changes no prototype', () => {
  const back = decodeValue('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
  expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  expect(Object.keys(back)).toEqual(['__proto__', 'a']);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(encodeValue(back)).toBe('{"__proto__":{"polluted":true},"a":1}');
});

test('values JSON cannot hold throw a TypeError', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  expect(() => encodeValue(circular)).toThrow(TypeError);
  expect(() => encodeValue(1n)).toThrow(TypeError);
  expect(() => encodeValue(undefined)).toThrow(TypeError);
  expect(() => encodeValue(() => 1)).toThrow(TypeError);
  // Shared (not circular) references are fine.
  const shared = { x: 1 };
  expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
});
