// packages/core/CONFORMANCE.md lists every case of the kit with what it needs. This keeps
// the list honest: every group and case the built kit registers must be in it, under its
// group, with a "needs" cell that names every requirement behind the case's skip reason.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { describe, expect, test } = require('@jest/globals');

const core = path.resolve(__dirname, '..', '..', 'packages', 'core');
const { conformanceGroups } = require(path.join(core, 'dist', 'conformance', 'index.js'));
const { NO_CAPABILITIES } = require(path.join(core, 'dist', 'index.js'));
const doc = readFileSync(path.join(core, 'CONFORMANCE.md'), 'utf8');

/** The table rows under `### <group>`, up to the next heading: case name → needs cell. */
function documentedCases(group) {
  const start = doc.indexOf(`\n### ${group}\n`);
  if (start < 0) return undefined;
  const end = doc.indexOf('\n#', start + 5);
  const rows = doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    // Table rows, less the header (`| case | needs |`); the `|---|` separator has no space.
    .filter((line) => line.startsWith('| ') && line !== '| case | needs |');
  return new Map(
    rows.map((row) => row.split('|').map((cell) => cell.trim())).map((cells) => [cells[1], cells[2]]),
  );
}

const EVERYTHING = {
  ...NO_CAPABILITIES,
  methods: { touch: true, all: true, length: true, clear: true, ids: true },
  expiresOnServer: true,
  prefixIsolation: true,
  events: { connect: true, disconnect: true },
  conditionalWrites: true,
  userSessions: true,
};
const ALL_HOOKS = Object.fromEntries(
  ['corrupt', 'exists', 'ttl', 'writeForeign', 'foreignExists', 'dropConnection', 'indexedIds'].map(
    (hook) => [hook, () => undefined],
  ),
);

describe('CONFORMANCE.md', () => {
  const total = conformanceGroups.reduce((sum, group) => sum + group.cases.length, 0);

  test('states how many cases and groups the kit has', () => {
    expect(doc).toContain(`${total} cases in ${conformanceGroups.length} groups`);
  });

  test.each(conformanceGroups.map((group) => [group.name, group]))(
    'lists every case of the "%s" group',
    (_name, group) => {
      const documented = documentedCases(group.name);
      expect(documented).toBeDefined();
      expect([...documented.keys()]).toEqual(group.cases.map((c) => c.name));
    },
  );

  test.each(conformanceGroups.flatMap((group) => group.cases.map((c) => [c.name, c])))(
    'the needs of "%s" match what makes it skip',
    (name, testCase) => {
      const group = conformanceGroups.find((g) => g.cases.includes(testCase));
      const needs = documentedCases(group.name).get(name);
      const required = (capabilities, hooks) => testCase.unsupported?.(capabilities, hooks);
      // With everything declared and every hook given, no case may skip.
      expect(required(EVERYTHING, ALL_HOOKS)).toBeUndefined();
      // Each manifest promise or hook the case depends on must be named in its row.
      for (const method of Object.keys(EVERYTHING.methods)) {
        const without = { ...EVERYTHING, methods: { ...EVERYTHING.methods, [method]: false } };
        if (required(without, ALL_HOOKS))
          expect({ name, needs }).toEqual({ name, needs: expect.stringContaining(`\`${method}\``) });
      }
      for (const flag of ['expiresOnServer', 'prefixIsolation', 'conditionalWrites', 'userSessions']) {
        if (required({ ...EVERYTHING, [flag]: false }, ALL_HOOKS))
          expect({ name, needs }).toEqual({ name, needs: expect.stringContaining(`\`${flag}\``) });
      }
      for (const event of ['connect', 'disconnect']) {
        const without = { ...EVERYTHING, events: { ...EVERYTHING.events, [event]: false } };
        if (required(without, ALL_HOOKS))
          expect({ name, needs }).toEqual({ name, needs: expect.stringContaining(`\`events.${event}\``) });
      }
      for (const hook of Object.keys(ALL_HOOKS)) {
        const { [hook]: _dropped, ...others } = ALL_HOOKS;
        if (required(EVERYTHING, others))
          expect({ name, needs }).toEqual({
            name,
            needs: expect.stringMatching(new RegExp(`(^|[^s] )\`inspect\\.${hook}\``)),
          });
      }
    },
  );
});
