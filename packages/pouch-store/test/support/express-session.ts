import type { RequestHandler } from 'express';

/** The part of express-session the tests use. */
export interface ExpressSession {
  (options: Record<string, unknown>): RequestHandler;
  readonly Store: abstract new (...args: never[]) => object;
}

// This package has express-session but not @types/express-session among its dev
// dependencies (core brings the types for itself), so the module is typed here.
export const session = require('express-session') as ExpressSession;
