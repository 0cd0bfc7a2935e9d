#!/usr/bin/env node
// `pnpm new-store <backend>`: creates packages/<backend>-store with the skeleton every
// store of this repository shares, from the templates in scripts/new-store-templates/.
// CONTRIBUTING.md says what to do next; scripts/test/new-store.test.js proves the
// skeleton builds, type-checks, passes lint, and passes the conformance kit once filled in.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptsDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(scriptsDir, '..');
const templatesDir = join(scriptsDir, 'new-store-templates');

const USAGE = `usage: pnpm new-store <backend> [--root <dir>]

  <backend>     lower-case words joined by "-", e.g. "mongo" or "dynamo-db" (a trailing
                "-store" is optional): creates packages/<backend>-store, the package
                @session-stores/<backend>-store and the class <Backend>Store
  --root <dir>  the repository to create it in (default: this one; the tests use a temp copy)`;

/** The longest backend name accepted. */
const MAX_NAME_LENGTH = 24;

/** What the templates' {{placeholders}} stand for, from the backend's name. */
export function namesFor(input) {
  const name = String(input ?? '').replace(/-store$/, '');
  // At most 24 characters, so every generated line stays within the formatter's width.
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `"${input}" is not a backend name: use lower-case words joined by "-", at most ${MAX_NAME_LENGTH} characters, e.g. mongo, dynamo-db`,
    );
  }
  const words = name.split('-');
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  return {
    name,
    folder: `${name}-store`,
    npmName: `@session-stores/${name}-store`,
    Class: `${pascal}Store`,
    Title: words.map((word) => word[0].toUpperCase() + word.slice(1)).join(' '),
    factoryName: `${pascal[0].toLowerCase()}${pascal.slice(1)}StoreFactory`,
  };
}

/** Replaces every {{key}}; a placeholder without a value is a bug in the templates. */
function render(text, names, where) {
  return text.replace(/\{\{(\w+)\}\}/g, (_match, key) => {
    if (!Object.hasOwn(names, key)) throw new Error(`${where}: unknown placeholder {{${key}}}`);
    return names[key];
  });
}

/** Every template file, as a path relative to the templates folder. */
function templateFiles(dir = templatesDir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateFiles(join(dir, entry.name))
      : entry.name.endsWith('.tmpl')
        ? [relative(templatesDir, join(dir, entry.name))]
        : [],
  );
}

/**
 * Writes packages/<folder>/ under `root`, and returns the files written (relative to it).
 * @throws when the name is invalid or the folder exists (nothing is overwritten).
 */
export function generateStore(input, root = repoRoot) {
  const names = namesFor(input);
  const target = join(root, 'packages', names.folder);
  if (existsSync(target)) throw new Error(`${relative(process.cwd(), target) || target} already exists`);
  const written = [];
  for (const template of templateFiles()) {
    const file = render(template, names, template).replace(/\.tmpl$/, '');
    const text = render(readFileSync(join(templatesDir, template), 'utf8'), names, template);
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
    written.push(file);
  }
  // The release check wants each package's LICENSE identical to the root one.
  copyFileSync(join(repoRoot, 'LICENSE'), join(target, 'LICENSE'));
  written.push('LICENSE');
  return { names, target, files: written.sort() };
}

function main(argv) {
  const args = [...argv];
  let root = repoRoot;
  const rootAt = args.indexOf('--root');
  if (rootAt >= 0) {
    root = resolve(args[rootAt + 1] ?? '');
    args.splice(rootAt, 2);
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  try {
    const { names, target, files } = generateStore(args[0], root);
    const shown = relative(process.cwd(), target) || target;
    console.log(`created ${shown}/ (${names.npmName}, class ${names.Class}):`);
    for (const file of files) console.log(`  ${file}`);
    console.log(`
next (CONTRIBUTING.md has the whole checklist):
  1. npx pnpm@10.34.9 install          link the new package into the workspace
  2. fill in src/${names.folder}.ts     the primitives, then declare what works in capabilities
  3. npx pnpm@10.34.9 --filter ${names.npmName} test`);
    return 0;
  } catch (err) {
    console.error(`new-store: ${err.message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
