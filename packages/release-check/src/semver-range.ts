/** `[major, minor, patch]` of a version (a pre-release tag is ignored). */
export type VersionParts = readonly [number, number, number];

/** Parses `1.2.3` (or `1.2.3-beta.1`); throws on anything else. */
export function parseVersion(version: string): VersionParts {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version.trim());
  if (!match) throw new Error(`not a version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative, zero or positive as `a` is lower than, equal to or higher than `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/**
 * The range a dependency spec publishes as, the way pnpm rewrites it on pack:
 * `workspace:^` -> `^<version>`, `workspace:~` -> `~<version>`, `workspace:*` -> `<version>`.
 */
export function publishedRange(spec: string, dependencyVersion: string): string {
  if (!spec.startsWith('workspace:')) return spec;
  const rest = spec.slice('workspace:'.length);
  if (rest === '^' || rest === '~') return `${rest}${dependencyVersion}`;
  if (rest === '*') return dependencyVersion;
  return rest;
}

/** Whether `version` satisfies `range`: `*`, an exact version, `^x.y.z`, `~x.y.z` or `>=x.y.z`. */
export function satisfies(version: string, range: string): boolean {
  const trimmed = range.trim();
  if (trimmed === '*' || trimmed === '') return true;
  if (trimmed.startsWith('>=')) return compareVersions(version, trimmed.slice(2)) >= 0;
  const operator = trimmed[0] === '^' || trimmed[0] === '~' ? trimmed[0] : '';
  const base = trimmed.slice(operator.length);
  if (operator === '') return compareVersions(version, base) === 0;
  if (compareVersions(version, base) < 0) return false;
  const [major, minor, patch] = parseVersion(base);
  const [vMajor, vMinor, vPatch] = parseVersion(version);
  if (operator === '~') return vMajor === major && vMinor === minor;
  // Caret: the leftmost non-zero part must not change.
  if (major > 0) return vMajor === major;
  if (minor > 0) return vMajor === 0 && vMinor === minor;
  return vMajor === 0 && vMinor === 0 && vPatch === patch;
}
