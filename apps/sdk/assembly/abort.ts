// The abort handler the build tells asc to use (`--use abort=...`): without one, modules import
// `env.abort`, which the host does not provide.
import { blockFromString } from "./block";
import { error_set, mb_log } from "./host";

/**
 * Reports an AssemblyScript abort (failed assert, bad index, thrown Error) as the call's error and
 * as an error log line (a host may report only the trap), then traps.
 */
export function megabitAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort: " + (message === null ? "(no message)" : message);
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  mb_log(3, blockFromString(text));
  error_set(blockFromString(text));
  unreachable();
}
