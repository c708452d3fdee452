/**
 * Whether the bridge takes a payload on `P/cmd/screens/<id>`, or a notification with screen
 * content on `P/cmd/notify`: the contract's own parsers, as problems to assert on (none when the
 * bridge accepts it), for the tests of what Node-RED and Home Assistant publish.
 */
import { parseNotify, parseScreen, type Result } from '@megabit/contract';

const problems = (result: Result<unknown>): string[] => (result.ok ? [] : [result.error.message]);

/** Problems with a payload for `P/cmd/screens/<id>`; an empty one (removal) has none. */
export function screenProblems(payload: string): string[] {
  return problems(parseScreen(payload));
}

/** Problems with a payload for `P/cmd/notify`, screen content included. */
export function notifyProblems(payload: string): string[] {
  return problems(parseNotify(payload));
}
