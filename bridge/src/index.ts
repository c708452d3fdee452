/** The bridge's programmatic API (the package's main module). */
export { startApp } from './sandbox';
export { SandboxFault } from './sandbox/types';
export type { AppInstance, FaultKind, HomeAssistantEntityState, LogLevel, SandboxLimits, SandboxOptions } from './sandbox/types';
