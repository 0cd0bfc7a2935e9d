import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INSTALLED_DEPENDENCY_FIELDS, type PackageManifest, readManifest } from './package-manifest';

/** One package folder under `packages/`. */
export interface WorkspacePackage {
  /** The npm name. */
  readonly name: string;
  /** The folder name under `packages/`. */
  readonly folder: string;
  /** Absolute path of the package folder. */
  readonly dir: string;
  readonly manifest: PackageManifest;
  /** Published packages are the ones without `private: true`. */
  readonly published: boolean;
  /** Whether `src/index.ts` exists: a package without it is still being written. */
  readonly hasEntry: boolean;
}

/** The workspace root: the nearest folder above `from` with a pnpm-workspace.yaml. */
export function findWorkspaceRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Every package under `<root>/packages`, sorted so a package comes after the workspace packages it depends on. */
export function listPackages(root: string): WorkspacePackage[] {
  const packagesDir = join(root, 'packages');
  const found: WorkspacePackage[] = [];
  for (const folder of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, folder);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = readManifest(manifestPath);
    found.push({
      name: manifest.name ?? folder,
      folder,
      dir,
      manifest,
      published: manifest.private !== true,
      hasEntry: existsSync(join(dir, 'src', 'index.ts')),
    });
  }
  return dependencyOrder(found);
}

/** The names of the workspace packages `pkg` needs at install time (not its devDependencies). */
export function workspaceDependencies(pkg: WorkspacePackage, all: readonly WorkspacePackage[]): string[] {
  const names = new Set(all.map((p) => p.name));
  const deps = new Set<string>();
  for (const field of INSTALLED_DEPENDENCY_FIELDS) {
    for (const dep of Object.keys(pkg.manifest[field] ?? {})) if (names.has(dep)) deps.add(dep);
  }
  return [...deps];
}

/** `pkg` and every workspace package it needs, transitively, dependencies first. */
export function withWorkspaceDependencies(pkg: WorkspacePackage, all: readonly WorkspacePackage[]): string[] {
  const byName = new Map(all.map((p) => [p.name, p]));
  const order: string[] = [];
  const visit = (current: WorkspacePackage): void => {
    if (order.includes(current.name)) return;
    for (const dep of workspaceDependencies(current, all)) {
      const depPackage = byName.get(dep);
      if (depPackage) visit(depPackage);
    }
    order.push(current.name);
  };
  visit(pkg);
  return order;
}

function dependencyOrder(packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ordered = new Map<string, WorkspacePackage>();
  for (const pkg of packages) {
    for (const name of withWorkspaceDependencies(pkg, packages)) {
      const found = byName.get(name);
      if (found && !ordered.has(name)) ordered.set(name, found);
    }
  }
  return [...ordered.values()];
}

/** The folders of every workspace package (the globs of pnpm-workspace.yaml: `dir/*` or `dir`). */
export function workspacePackageDirs(root: string, patterns: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else {
      dirs.push(join(root, pattern));
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, 'package.json'))).sort();
}
