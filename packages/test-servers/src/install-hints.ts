import { findExecutable } from './find-executable';

/** The Debian/Ubuntu package that ships each binary we may start. */
const PACKAGE_OF: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'redis-sentinel': 'redis-sentinel',
};

/**
 * The one-line explanation shown when a binary is missing, e.g.
 * `redis-server not found on PATH: install it with "apt-get install redis-server" or set REDIS_URL`.
 */
export function missingBinaryMessage(binary: string, envVar?: string): string {
  const pkg = PACKAGE_OF[binary] ?? binary;
  const alternative = envVar ? ` or set ${envVar}` : '';
  return `${binary} not found on PATH: install it with "apt-get install ${pkg}"${alternative}`;
}

/** An error whose stack is its message, so jest prints one clear line instead of a trace into this package. */
export function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** Returns the absolute path of `binary`, or throws the one-line install hint. */
export function requireExecutable(binary: string, env: NodeJS.ProcessEnv, envVar?: string): string {
  const found = findExecutable(binary, env);
  if (!found) throw oneLineError(missingBinaryMessage(binary, envVar));
  return found;
}
