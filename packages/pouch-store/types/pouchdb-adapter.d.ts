// pouchdb-adapter-memory and pouchdb-adapter-http ship no types: each is a PouchDB plugin function.
declare const plugin: (pouch: unknown) => void;
export = plugin;
