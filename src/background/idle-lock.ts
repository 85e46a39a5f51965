import type { browser } from 'wxt/browser';
import type { SecretKeeper } from '../secrets/keeper';

type Alarms = typeof browser.alarms;

/** The one alarm S3 Drop sets: when the unlocked vault's key is due to be dropped. */
export const IDLE_LOCK_ALARM = 'idle-lock';

/**
 * The keeper's `scheduleIdleLock` over the `alarms` API. An alarm wakes a
 * stopped service worker (or suspended event page), so the key leaves
 * `storage.session` on time even when nothing reads it.
 *
 * Chrome fires no alarm sooner than 30 s after it is set (packed extensions;
 * earlier alarms are moved to 30 s), and a machine that sleeps fires it on
 * waking: the key can outlive its deadline by that much. It is never used
 * after the deadline, though: the keeper checks the idle time on every read.
 */
export function alarmIdleLockScheduler(alarms: Alarms): (at: number | null) => Promise<void> {
  return async (at) => {
    if (at === null) await alarms.clear(IDLE_LOCK_ALARM);
    // Creating an alarm under a name that exists replaces it.
    else await alarms.create(IDLE_LOCK_ALARM, { when: at });
  };
}

/**
 * Enforces the idle lock now (a worker that starts after the deadline drops
 * the key at once), when the alarm fires, and when the idle setting changes
 * (a shorter one can be overdue already; 0 cancels the alarm). Call once per
 * worker start, synchronously, so the alarm's listener is in place before the
 * browser delivers the event that woke the worker.
 */
export function registerIdleLock(deps: {
  keeper: Pick<SecretKeeper, 'enforceIdleLock'>;
  alarms: Alarms;
  /** Calls back whenever the idle setting changes. */
  watchSetting(onChange: () => void): unknown;
}): Promise<void> {
  const enforce = () =>
    deps.keeper.enforceIdleLock().catch((err: unknown) => console.error('S3 Drop: the idle lock check failed', err));
  // The browser ignores what a listener returns; the promise lets a caller wait for the check.
  deps.alarms.onAlarm.addListener((alarm) => (alarm.name === IDLE_LOCK_ALARM ? enforce() : undefined));
  deps.watchSetting(() => void enforce());
  return enforce();
}
