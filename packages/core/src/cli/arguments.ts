import { UsageError } from './store-module';

/** The command line, parsed. */
export interface CliArguments {
  readonly storeModule: string;
  readonly configFile: string | undefined;
  readonly json: boolean;
  readonly groups: readonly string[] | undefined;
  /** How long `createStore`, `setup` and the first set/get/destroy may take, in ms. */
  readonly startTimeoutMs: number;
}

export const USAGE = `usage: session-stores-core conformance <store-module> [--json] [--config <file>] [--group <name>]... [--start-timeout <ms>]

  <store-module>      a module exporting createStore({ prefix }) (see CONFORMANCE.md, "The command line")
  --json              print the report as JSON
  --config <file>     a module exporting capabilities, inspect hooks, closeStore, setup or teardown
                      (they override the store module's own)
  --group <name>      run only this group (repeatable)
  --start-timeout <ms>  how long creating the first store and its first calls may take (default 30000)

Exit code: 0 when no case failed, 1 when one did, 2 when the input is unusable.`;

/** Parses `conformance <module> [options]` (the arguments after the program name). */
export function parseArguments(argv: readonly string[]): CliArguments {
  const [command, ...rest] = argv;
  if (command !== 'conformance') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
  let storeModule: string | undefined;
  let configFile: string | undefined;
  let json = false;
  let startTimeoutMs = 30_000;
  const groups: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index] as string;
    const value = (): string => {
      const next = rest[index + 1];
      if (next === undefined) throw new UsageError(`${argument} needs a value`);
      index += 1;
      return next;
    };
    if (argument === '--json') json = true;
    else if (argument === '--config') configFile = value();
    else if (argument === '--group') groups.push(value());
    else if (argument === '--start-timeout') {
      startTimeoutMs = Number(value());
      if (!Number.isFinite(startTimeoutMs) || startTimeoutMs <= 0) {
        throw new UsageError('--start-timeout expects a number of ms above 0');
      }
    } else if (argument.startsWith('-')) throw new UsageError(`unknown option ${argument}`);
    else if (storeModule === undefined) storeModule = argument;
    else throw new UsageError(`unexpected argument ${argument}`);
  }
  if (storeModule === undefined) throw new UsageError('no store module given');
  return { storeModule, configFile, json, groups: groups.length > 0 ? groups : undefined, startTimeoutMs };
}
