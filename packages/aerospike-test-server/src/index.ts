/**
 * A loopback server speaking Aerospike's wire protocol, so the official
 * `aerospike` Node client can be tested without an Aerospike install.
 */

export type { DecodedValue } from './particles';
export type { InspectedRecord, NamespaceConfig } from './record-store';
export {
  type AerospikeTestServer,
  type AerospikeTestServerOptions,
  type NamespaceOptions,
  SERVER_BUILD,
  startAerospikeTestServer,
} from './server';
