import type { Server } from 'node:http';
import type { RequestListener } from 'node:http';

/** Builds an express app speaking the CouchDB HTTP API over in-memory PouchDB databases. */
export function createCouchApp(): RequestListener;

/** Listens on host:port (0 = any free port) and resolves with the http.Server once it is bound. */
export function listenCouch(port: number, host: string): Promise<Server>;
