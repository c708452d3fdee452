/** A small levelled logger: one line per message, with the component that wrote it. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(component: string): Logger;
}

export type LogSink = (level: Level, component: string, message: string) => void;

const consoleSink: LogSink = (level, component, message) => {
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${message}\n`;
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
};

export function createLogger(minLevel: Level = 'info', component = 'megabit', sink: LogSink = consoleSink): Logger {
  const log = (level: Level, message: string): void => {
    if (ORDER[level] >= ORDER[minLevel]) sink(level, component, message);
  };
  return {
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
    child: (name) => createLogger(minLevel, name, sink),
  };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
