/**
 * Whether the user gave Node one of the V8 flags `pattern` names, on the command line or in
 * NODE_OPTIONS: then the settings the bridge holds while it starts (young-generation.ts,
 * optimizer-at-start.ts) leave that one alone. V8 takes `_` and `-` alike in flag names.
 */
export function v8FlagSetByUser(pattern: RegExp, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): boolean {
  return execArgv.some((arg) => pattern.test(arg.replaceAll('_', '-'))) || pattern.test((nodeOptions ?? '').replaceAll('_', '-'));
}
