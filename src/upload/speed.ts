import { t } from '../i18n/t';

/**
 * Upload speed over a sliding window, so a stall shows as a falling number
 * rather than an average over the whole upload.
 */
export class SpeedMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  /** Records that `bytes` have been sent in total at time `t` (ms). */
  add(t: number, bytes: number): void {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 until two samples exist. */
  bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}

/** "12.3 MB", "850 kB": decimal units, three significant digits, as network speeds are usually given. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  // Compare after rounding, so 999 999 B reads "1.0 MB", not "1000 kB".
  while (unit < units.length - 1 && Number(value.toPrecision(3)) >= 1000) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const rounded = Number(value.toPrecision(3));
  return `${rounded.toFixed(rounded < 100 ? 1 : 0)} ${units[unit]}`;
}

/** "about 40 s left", "about 3 min left": rounded, because a speed over a few seconds is only a guess. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return t('eta_almostDone');
  if (seconds < 60) return t('eta_seconds', { seconds: Math.ceil(seconds) });
  if (seconds < 3600) return t('eta_minutes', { minutes: Math.round(seconds / 60) });
  // Round once, in minutes, so 7 199 s reads "2 h 0 min", never "1 h 60 min".
  const minutes = Math.round(seconds / 60);
  return t('eta_hours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
