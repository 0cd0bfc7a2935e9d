// A store built on core, as an ESM module exporting only its factory.
import { MemoryStore } from '@session-stores/core';

export default ({ prefix, options }) => new MemoryStore({ ...options, prefix });
