/** A logger for tests that keeps every line it is given, at every level, for assertions. */
import { createLogger, type Level, type Logger } from '../../src/util/logger';

export interface LogLine {
  level: Level;
  message: string;
}

/** Both the logger and what it recorded: pass it (or `.log`) where a Logger goes. */
export interface RecordingLog extends Logger {
  readonly log: Logger;
  readonly lines: LogLine[];
  /** How many recorded lines match `pattern`. */
  count(pattern: RegExp): number;
}

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const log = createLogger('debug', 'test', (level, _component, message) => lines.push({ level, message }));
  return Object.assign(log, { log, lines, count: (pattern: RegExp) => lines.filter((l) => pattern.test(l.message)).length });
}
