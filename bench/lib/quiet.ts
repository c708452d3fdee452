/** A logger that says nothing: the compositor's log lines would only disturb the measurements. */
import type { CompositorOptions } from 'megabit-bridge';

type Logger = NonNullable<CompositorOptions['log']>;

export const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};
