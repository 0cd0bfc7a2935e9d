import { readFileSync } from 'node:fs';

/** A conditional `exports` target: a path, or conditions mapping to further targets. */
export type ExportTarget = string | null | { [condition: string]: ExportTarget };

/** The package.json fields the release check reads. */
export interface PackageManifest {
  name?: string;
  version?: string;
  private?: boolean;
  license?: string;
  keywords?: unknown;
  engines?: Record<string, string>;
  repository?: string | { type?: string; url?: string; directory?: string };
  sideEffects?: unknown;
  publishConfig?: { access?: string };
  files?: unknown;
  type?: string;
  main?: string;
  module?: string;
  types?: string;
  exports?: Record<string, ExportTarget>;
  typesVersions?: Record<string, Record<string, string[]>>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  packageManager?: string;
}

/** The dependency fields that end up in a user's install. */
export const INSTALLED_DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
] as const;

/** Reads and parses a package.json. */
export function readManifest(path: string): PackageManifest {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageManifest;
}
