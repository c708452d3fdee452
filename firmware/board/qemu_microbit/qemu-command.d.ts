export const FIRMWARE_ELF: string;
export function qemuArgs(options: { uartPort: number; qtestPath?: string; qmpPath?: string }): string[];
export function requireQemuTools(who: string): void;
