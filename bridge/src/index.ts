/**
 * The bridge's programmatic API (the package's main module). Nothing outside bridge/ imports a
 * bridge internal path: what other packages, tools and the bench may use is exported here on
 * purpose, and a change here is a change of that API.
 */

// An app in the sandbox: its own worker thread, limits, host functions (app tools, the bench).
export { startApp } from './sandbox';
export { SandboxFault } from './sandbox/types';
export { loadBuiltInIcons } from './icons/builtin-icons';
export type { Icon, IconFrame, IconSource } from './icons/icon';
export type { AppInstance, FaultKind, HomeAssistantEntityState, LogLevel, SandboxLimits, SandboxOptions } from './sandbox/types';
// An app's settings resolved against its manifest's schema, as the bridge does before starting it.
export { ConfigSchemas } from './apps/app-config';

// The display pipeline as the bridge runs it: the compositor, the one output interface, the
// font's line height (the notification band's place on the panel).
export { Compositor, LINE_HEIGHT, type CompositorOptions, type DisplayOutput } from './display';
export { OPTIMIZER_DELAY_MS } from './optimizer-delay';

// The screen renderer (a screen's JSON content as pixels) and the icons it draws (the bench
// measures a screen's cost per frame).
export { renderScreen, type RenderContext, type RenderInfo } from './screens/render';

// The serial link's building blocks, for talking to the coprocessor without a running bridge
// (the bench measures them over the firmware in qemu): the frame sync (a frame as changed
// rectangles and a COMMIT), one link session, the port opener and the protocol codec.
export { FrameSync, type MessageSink } from './serial/frame-sync';
export { LinkSession, type DeviceInfo, type LinkSessionHandlers, type LinkSessionOptions } from './serial/link-session';
export { openSerialChannel, type ChannelOpener, type OpenChannel } from './serial/port-opener';
export type { ByteChannel } from './serial/byte-channel';
export {
  crc32,
  decodeLevelRice,
  decodeMessage,
  encodeMessage,
  HELLO_RETRY_MS,
  HOST_RETRANSMIT_MS,
  type LevelClasses,
  levelClasses,
  levelRiceRowsAbove,
  MAX_PACKET,
  PacketParser,
  PixelFormat,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type Message,
  type MessageName,
  type MessageOf,
} from './serial/protocol';

// Counting what a long run must not pile up (listeners, handles, descriptors, workers), asked of
// a bridge child process over its IPC channel (the soak run).
export { askCountsOverIpc, COUNTS_REPLY, COUNTS_REQUEST, type CountsReply, type CountsRequest } from './diagnostics/ipc-diagnostics';
export type { ResourceCounts } from './diagnostics/resource-counts';

// The C library's malloc settings the systemd unit runs the bridge with (the bench's footprint uses them too).
export { GLIBC_TUNABLES } from './tools/malloc-tunables';
