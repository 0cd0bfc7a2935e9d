// See pouchdb-core.d.ts: the plugin object, as the store uses it.
declare const plugin: Record<string, unknown>;
export = plugin;
