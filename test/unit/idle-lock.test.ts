import { fakeBrowser } from 'wxt/testing/fake-browser';
import { browser } from 'wxt/browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { alarmIdleLockScheduler, IDLE_LOCK_ALARM, registerIdleLock } from '../../src/background/idle-lock';
import { createSecretKeeper, type SecretKeeper } from '../../src/secrets/keeper';
import { secretsItem, securityItem, vaultSessionItem } from '../../src/settings/items';

const T0 = Date.parse('2024-03-05T07:08:09Z');
const MINUTE = 60_000;
const PASS = 'correct horse battery staple';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The clock every keeper in a test reads. */
const clock = { now: T0 };

/**
 * One start of the service worker (or event page): a keeper over the real
 * storage items, wired to `alarms` as the background wires it. `stop` is the
 * worker going away: its listeners go with it; storage and alarms stay.
 */
async function startWorker(): Promise<{ keeper: SecretKeeper; stop(): void }> {
  const keeper = createSecretKeeper({
    read: () => secretsItem.getValue(),
    write: (value) => secretsItem.setValue(value),
    readSession: () => vaultSessionItem.getValue(),
    writeSession: (value) => vaultSessionItem.setValue(value),
    lockAfterMinutes: async () => (await securityItem.getValue()).lockAfterMinutes,
    scheduleIdleLock: alarmIdleLockScheduler(browser.alarms),
    now: () => clock.now,
    iterations: 1000,
  });
  const unwatch: (() => void)[] = [];
  await registerIdleLock({ keeper, alarms: browser.alarms, watchSetting: (changed) => unwatch.push(securityItem.watch(changed)) });
  return {
    keeper,
    stop() {
      fakeBrowser.alarms.onAlarm.removeAllListeners();
      for (const u of unwatch) u();
    },
  };
}

/** What `storage.session` holds under the vault key's name, read from the storage area itself. */
async function sessionKeyInStorage(): Promise<unknown> {
  return (await fakeBrowser.storage.session.get('vaultKey')).vaultKey ?? null;
}

const idleAlarm = () => fakeBrowser.alarms.get(IDLE_LOCK_ALARM);

/**
 * Moves the clock and fires the alarms that are due, as the browser does:
 * a one-shot alarm is gone once it has fired. Resolves when the listeners have run.
 */
async function advanceTo(time: number): Promise<void> {
  clock.now = time;
  for (const alarm of await fakeBrowser.alarms.getAll()) {
    if (alarm.scheduledTime > time) continue;
    await fakeBrowser.alarms.clear(alarm.name);
    await fakeBrowser.alarms.onAlarm.trigger(alarm);
  }
}

/** A worker with one profile's secrets sealed under PASS, unlocked at T0. */
async function unlockedWorker(minutes = 30) {
  await securityItem.setValue({ lockAfterMinutes: minutes });
  const worker = await startWorker();
  await worker.keeper.update(() => ({ p1: { secretAccessKey: SECRET, sessionToken: '' } }));
  await worker.keeper.setPassphrase(PASS);
  return worker;
}

describe('the idle lock, enforced by an alarm', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    clock.now = T0;
  });

  it('after the idle time the key is gone from storage.session without anything reading it', async () => {
    await unlockedWorker(30);
    expect(await sessionKeyInStorage()).toMatchObject({ key: expect.any(String), lastUsed: T0 });
    expect((await idleAlarm())?.scheduledTime).toBe(T0 + 30 * MINUTE);

    await advanceTo(T0 + 29 * MINUTE);
    expect(await sessionKeyInStorage()).not.toBeNull();

    await advanceTo(T0 + 30 * MINUTE + 1);
    expect(await sessionKeyInStorage()).toBeNull();
    expect(await idleAlarm()).toBeUndefined();
  });

  it('a use before the deadline pushes it back', async () => {
    const { keeper } = await unlockedWorker(30);
    await advanceTo(T0 + 20 * MINUTE);
    expect(await keeper.get('p1')).toMatchObject({ secretAccessKey: SECRET });
    expect((await idleAlarm())?.scheduledTime).toBe(T0 + 50 * MINUTE);

    // The first deadline passes: still unlocked.
    await advanceTo(T0 + 31 * MINUTE);
    expect(await sessionKeyInStorage()).toMatchObject({ lastUsed: T0 + 20 * MINUTE });

    await advanceTo(T0 + 50 * MINUTE + 1);
    expect(await sessionKeyInStorage()).toBeNull();
  });

  it('a worker that starts after the deadline drops the key at once (the alarm was missed)', async () => {
    const first = await unlockedWorker(30);
    first.stop();
    // The browser slept through the alarm, or it was cleared: only the start is left to catch it.
    await fakeBrowser.alarms.clearAll();
    clock.now = T0 + 45 * MINUTE;
    expect(await sessionKeyInStorage()).not.toBeNull();
    await startWorker();
    expect(await sessionKeyInStorage()).toBeNull();
    expect(await idleAlarm()).toBeUndefined();
  });

  it('a worker that starts before the deadline keeps the key and the alarm', async () => {
    const first = await unlockedWorker(30);
    first.stop();
    await fakeBrowser.alarms.clearAll();
    clock.now = T0 + 10 * MINUTE;
    const { keeper } = await startWorker();
    expect((await idleAlarm())?.scheduledTime).toBe(T0 + 30 * MINUTE);
    expect(await keeper.get('p1')).toMatchObject({ secretAccessKey: SECRET });
  });

  it('0 minutes sets no alarm: the key stays until the browser closes', async () => {
    await unlockedWorker(0);
    expect(await idleAlarm()).toBeUndefined();
    await advanceTo(T0 + 7 * 24 * 60 * MINUTE);
    expect(await sessionKeyInStorage()).not.toBeNull();
  });

  it('changing the idle time reschedules the alarm, or drops the key when the new time has passed', async () => {
    await unlockedWorker(30);
    await securityItem.setValue({ lockAfterMinutes: 120 });
    await vi.waitFor(async () => expect((await idleAlarm())?.scheduledTime).toBe(T0 + 120 * MINUTE));
    await securityItem.setValue({ lockAfterMinutes: 0 });
    await vi.waitFor(async () => expect(await idleAlarm()).toBeUndefined());
    await advanceTo(T0 + 10 * MINUTE);
    await securityItem.setValue({ lockAfterMinutes: 5 });
    await vi.waitFor(async () => expect(await sessionKeyInStorage()).toBeNull());
  });

  it('an alarm of another name is left alone', async () => {
    await unlockedWorker(30);
    clock.now = T0 + 31 * MINUTE;
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'something-else', scheduledTime: T0 });
    expect(await sessionKeyInStorage()).not.toBeNull();
  });
});
