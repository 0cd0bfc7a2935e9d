// Repeats, at the end of a CI log, the failing tests of each task turbo reports as failed.
// CI keeps only the tail of its output, and turbo interleaves the tasks, so a task that
// failed early would otherwise show nothing but its name. The first failure of each task
// comes in full, then every failure in two lines (its title and its first message line).
// Usage: node .ci/failure-digest.mjs <log file>
import { readFileSync } from 'node:fs';

const DETAIL_LINES = 40;
const LISTED_FAILURES = 8;
// Colours removed: jest colours its output when it thinks a terminal is there.
const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const lines = readFileSync(process.argv[2], 'utf8').replace(ESCAPES, '').split('\n');
const failed = lines.findLast((line) => /^\s*Failed:\s+\S/.test(line));
if (failed === undefined) process.exit(0);

/** Each failed task with its own lines, the turbo prefix removed. */
const tasks = failed
  .replace(/^\s*Failed:\s+/, '')
  .split(/,\s*/)
  .map((task) => {
    // turbo reports "@scope/pkg#test" and prefixes that task's lines with "@scope/pkg:test: ".
    const hash = task.lastIndexOf('#');
    const prefix = `${task.slice(0, hash)}:${task.slice(hash + 1)}: `;
    const own = lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
    return { task, own };
  });

const isFailure = (line) => /^\s*(●|✖|not ok\b)/.test(line);
console.log('\n==== failing tests, again ====');
for (const { task, own } of tasks) {
  const first = own.findIndex(isFailure);
  const start = first < 0 ? Math.max(0, own.length - DETAIL_LINES) : first;
  console.log(`\n---- ${task}: ${first < 0 ? 'the end of its output' : 'its first failure'}`);
  console.log(own.slice(start, start + DETAIL_LINES).join('\n'));
}
console.log('\n==== summary ====');
for (const { task, own } of tasks) {
  const titles = own.flatMap((line, index) => {
    if (!isFailure(line) || line.includes('Summary of all failing tests')) return [];
    const message = own.slice(index + 1).find((next) => next.trim() !== '') ?? '';
    return [`${line.trim()}\n      ${message.trim().slice(0, 200)}`];
  });
  const unique = [...new Set(titles)];
  console.log(`${task}: ${unique.length} failure(s)`);
  for (const title of unique.slice(0, LISTED_FAILURES)) console.log(`  ${title}`);
  if (unique.length > LISTED_FAILURES) console.log(`  [... ${unique.length - LISTED_FAILURES} more]`);
}
