/**
 * The panel scan's modelled refresh rate per plane count (docs/performance.md §9): the
 * firmware's own timing model (firmware/core/scan_timing.c with the Nano 33 BLE's figures in
 * board/nano33ble/scan_budget.h), built for the host by make and run, so these are the numbers
 * the firmware runs and the firmware README quotes, not a copy of them. A model, not a
 * measurement: no board is attached here.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FIRMWARE_DIR } from './lib/paths';

export interface ScanDepth {
  depth: number;
  bit0_ticks: number;
  refresh_hz: number;
  lit_percent: number;
  cpu_percent: number;
  planes: Array<{ dark: number; lit: number; next: number }>;
}

export interface ScanModelResult {
  board: string;
  timer_hz: number;
  cpu_hz: number;
  row_isr_cycles: number;
  row_min_ticks: number;
  settle_ticks: number;
  target_refresh_hz: number;
  /** What the firmware ships with. */
  default: ScanDepth;
  /** Each plane count at the longest plane 0 that keeps the target. */
  by_depth: ScanDepth[];
}

export function measureScanModel(): ScanModelResult {
  execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'build/host/scan_model'], { stdio: 'pipe' });
  const json = execFileSync(join(FIRMWARE_DIR, 'build', 'host', 'scan_model'), { encoding: 'utf8' });
  return JSON.parse(json) as ScanModelResult;
}

if (require.main === module) {
  const { printScanModel } = require('./table') as typeof import('./table');
  printScanModel(measureScanModel());
}
