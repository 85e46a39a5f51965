/**
 * Memory of Chromium's processes, read from /proc while an upload runs.
 *
 * PSS (proportional set size, from /proc/PID/smaps_rollup) counts pages shared
 * between processes once in total, split among the sharers, so the sum over
 * several Chromium processes does not count the shared libraries and shared
 * memory twice. Where smaps_rollup is not readable, RSS (/proc/PID/status) is
 * used instead, and the result says so.
 */
import { readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

export type MemoryKind = 'PSS' | 'RSS';

/** Bytes of one process, or null when it is gone. */
export function processMemory(pid: number): { bytes: number; kind: MemoryKind } | null {
  try {
    const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (pss) return { bytes: Number(pss[1]) * 1024, kind: 'PSS' };
  } catch {
    /* fall back to RSS */
  }
  try {
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (rss) return { bytes: Number(rss[1]) * 1024, kind: 'RSS' };
  } catch {
    /* gone */
  }
  return null;
}

export interface ChromiumProcesses {
  browser: number[];
  /** The renderer with `--extension-process`: the offscreen document, the popup, options and the service worker all live in it. */
  extension: number[];
  /** Chromium's network service (a utility process): the uploads' sockets and request bodies. */
  network: number[];
  /** Everything else: other renderers, GPU, storage service, zygotes' children. */
  other: number[];
}

export type ProcessGroup = keyof ChromiumProcesses;

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Chromium's processes by role, from the browser target's
 * `SystemInfo.getProcessInfo` (ids and types) and each process's command line
 * (which renderer is the extension's).
 */
export async function chromiumProcesses(browserSession: CDPSession): Promise<ChromiumProcesses> {
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const groups: ChromiumProcesses = { browser: [], extension: [], network: [], other: [] };
  for (const { type, id } of processInfo) {
    if (type === 'browser') groups.browser.push(id);
    else if (type === 'renderer' && cmdline(id).includes('--extension-process')) groups.extension.push(id);
    else if (type.startsWith('network.')) groups.network.push(id);
    else groups.other.push(id);
  }
  if (!groups.extension.length) throw new Error('no extension renderer (--extension-process) among Chromium processes');
  return groups;
}

export type GroupBytes = Record<ProcessGroup, number>;

export interface MemorySample {
  at: number;
  bytes: GroupBytes;
}

function sampleGroups(procs: ChromiumProcesses, kinds: Set<MemoryKind>): GroupBytes {
  const out = { browser: 0, extension: 0, network: 0, other: 0 } as GroupBytes;
  for (const group of Object.keys(procs) as ProcessGroup[])
    for (const pid of procs[group]) {
      const m = processMemory(pid);
      if (!m) continue;
      out[group] += m.bytes;
      kinds.add(m.kind);
    }
  return out;
}

export const sum = (bytes: GroupBytes, groups: readonly ProcessGroup[]) => groups.reduce((s, g) => s + bytes[g], 0);

/**
 * Samples every `intervalMs` from `start()` to `stop()`. The first sample is
 * the baseline; `peakGrowth(groups)` is the largest rise of those groups'
 * summed memory over it.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  readonly kinds = new Set<MemoryKind>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly procs: ChromiumProcesses,
    private readonly intervalMs = 150,
  ) {}

  /**
   * Waits until `groups` hold still: three samples over 1 s within 2 MiB of
   * each other (memory freed by an earlier upload would otherwise hide
   * growth), at most `maxMs`.
   */
  async settle(groups: readonly ProcessGroup[], maxMs = 15_000): Promise<void> {
    const end = performance.now() + maxMs;
    const recent: number[] = [];
    while (performance.now() < end) {
      recent.push(sum(sampleGroups(this.procs, this.kinds), groups));
      if (recent.length > 3) recent.shift();
      if (recent.length === 3 && Math.max(...recent) - Math.min(...recent) < 2 * 1024 * 1024) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  start(): void {
    const take = () => this.samples.push({ at: performance.now(), bytes: sampleGroups(this.procs, this.kinds) });
    take();
    this.timer = setInterval(take, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.samples.push({ at: performance.now(), bytes: sampleGroups(this.procs, this.kinds) });
  }

  get baseline(): GroupBytes {
    const first = this.samples[0];
    if (!first) throw new Error('no samples');
    return first.bytes;
  }

  /**
   * The largest rise of each group over its own baseline, summed over
   * `groups`: memory one group frees (e.g. the browser letting go of an
   * earlier file) cannot hide what another one takes.
   */
  peakGrowth(groups: readonly ProcessGroup[]): number {
    const base = this.baseline;
    return groups.reduce((total, g) => total + Math.max(0, ...this.samples.map((s) => s.bytes[g] - base[g])), 0);
  }

  /** Median ms between samples (the interval actually achieved). */
  get interval(): number {
    const gaps = this.samples.slice(1).map((s, i) => s.at - this.samples[i]!.at).sort((a, b) => a - b);
    return gaps[gaps.length >> 1] ?? 0;
  }

  get kind(): string {
    return [...this.kinds].sort().join('/') || 'PSS';
  }
}
