/** A process's memory as Linux counts it (/proc/<pid>/status), for tests that bound growth. */
import { readFileSync } from 'node:fs';

function statusBytes(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The resident set size now, in bytes. */
export function rssBytes(pid: number | 'self'): number {
  return statusBytes(pid, 'VmRSS');
}

/** The highest resident set size the process ever had (VmHWM), in bytes. */
export function peakRssBytes(pid: number | 'self'): number {
  return statusBytes(pid, 'VmHWM');
}
