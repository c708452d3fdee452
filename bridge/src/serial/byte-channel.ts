/**
 * The byte stream a link session talks over: an open serial port in production, an in-memory
 * pair in tests. Anything stream-like with `write`, `writableLength` and data/close events fits.
 */
export interface ByteChannel {
  write(data: Uint8Array): unknown;
  /** Bytes written but not yet handed to the OS: lets the sender hold back on a stalled port. */
  readonly writableLength: number;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}
