import { jsonSerializer, type Serializer } from '@session-stores/core';

/**
 * Whether a store's serializer writes plain JSON (core's default, or `JSON` itself), so
 * that scripts may edit the stored text on the server (touch splices the cookie in).
 */
export function isJsonSerializer(serializer: Serializer): boolean {
  return serializer === jsonSerializer || (serializer as unknown) === JSON;
}
