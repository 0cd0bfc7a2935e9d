import { compareVersions, publishedRange, satisfies } from './semver-range';

/** One workspace package as the changesets check sees it, before or after `changeset version`. */
export interface VersionSnapshot {
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
  /** dependencies and peerDependencies, by name. */
  readonly ranges: Readonly<Record<string, string>>;
  /** The CHANGELOG.md text, if the package has one. */
  readonly changelog: string | undefined;
}

/** The verdict on one `changeset version` run. */
export interface VersionBumpReport {
  /** One line per package, for the log. */
  readonly lines: string[];
  readonly problems: string[];
}

/**
 * Checks what `changeset version` did after a changeset bumped `changed`:
 * `changed` got a higher version and a CHANGELOG entry; every published dependent
 * whose published range no longer admits the new version got a higher version too
 * (and a range that admits it); private packages kept their version.
 */
export function checkVersionBumps(
  changed: string,
  before: ReadonlyMap<string, VersionSnapshot>,
  after: ReadonlyMap<string, VersionSnapshot>,
): VersionBumpReport {
  const lines: string[] = [];
  const problems: string[] = [];
  const oldChanged = before.get(changed);
  const newChanged = after.get(changed);
  if (!oldChanged || !newChanged) return { lines, problems: [`${changed}: not in the workspace`] };

  if (compareVersions(newChanged.version, oldChanged.version) <= 0) {
    problems.push(`${changed}: version not bumped (${oldChanged.version})`);
  } else if (!newChanged.changelog?.includes(`## ${newChanged.version}`)) {
    problems.push(`${changed}: CHANGELOG.md has no "## ${newChanged.version}" entry`);
  }
  lines.push(`${changed} ${oldChanged.version} -> ${newChanged.version} (changeset)`);

  for (const [name, old] of before) {
    const now = after.get(name);
    if (name === changed || !now) continue;
    const moved = `${old.version} -> ${now.version}`;
    if (old.private) {
      if (now.version !== old.version) problems.push(`${name}: private but versioned ${moved}`);
      else lines.push(`${name} ${old.version} unchanged (private)`);
      continue;
    }
    const oldSpec = old.ranges[changed];
    if (oldSpec === undefined) continue;
    const oldRange = publishedRange(oldSpec, oldChanged.version);
    const newRange = publishedRange(now.ranges[changed] ?? oldSpec, newChanged.version);
    const bumped = compareVersions(now.version, old.version) > 0;
    if (!satisfies(newChanged.version, newRange)) {
      problems.push(`${name}: its range ${newRange} for ${changed} excludes the new ${newChanged.version}`);
    }
    if (!satisfies(newChanged.version, oldRange) && !bumped) {
      problems.push(
        `${name}: depends on ${changed} ${oldRange}, which excludes ${newChanged.version}, but was not bumped`,
      );
    } else if (bumped && !now.changelog?.includes(`## ${now.version}`)) {
      problems.push(`${name}: bumped to ${now.version} without a CHANGELOG.md entry`);
    } else {
      lines.push(
        `${name} ${bumped ? moved : `${old.version} unchanged`} (depends on ${changed} ${oldRange})`,
      );
    }
  }
  return { lines, problems };
}
