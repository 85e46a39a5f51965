import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { storedHistory, storedUploadRecorder } from '../../src/background/history-storage';
import { entryFromUpload, MAX_HISTORY_LIMIT } from '../../src/history/history';
import { historyItem, historyRevisionItem, historySettingsItem } from '../../src/history/items';
import type { RecentUpload } from '../../src/history/recent';
import type { HistoryEntry } from '../../src/messaging/protocol';
import { renderKey, DEFAULT_KEY_TEMPLATE } from '../../src/keys/template';
import { EMPTY_PROFILE, type KeysProfile } from '../../src/settings/profile';
import { profilesItem } from '../../src/settings/items';

const T0 = Date.parse('2024-03-05T07:08:09Z');
/** Chrome's rejection of a `storage.local.set` past its quota (Firefox throws a QuotaExceededError). */
const CHROME_QUOTA = 'Resource::kQuotaBytes quota exceeded';

/** Ids as the product makes them: random UUIDs, 36 characters. */
const PROFILE_IDS = ['3f2c8a4e-1b7d-4c55-9e0a-6d2f7b8c9a10', '8b1e0c2d-5a6f-4e3b-a7c9-0d1e2f3a4b5c', 'c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f', 'e9f8a7b6-c5d4-4e3f-9a2b-1c0d9e8f7a6b'];

/** Names people give files, long and not only Latin, as they reach the history. */
const NAMES = [
  'Отчёт о командировке в 東京 — фотографии с выставки 📸 2024-03-05 (окончательная версия).jpeg',
  'Screenshot 2024-03-05 at 07.08.09 – Quarterly planning board, team “Ünïcödé” ✅.png',
  '見積書_株式会社サンプル_第3四半期_最終版（修正済み）_2024年3月5日.pdf',
  'Ταξίδι στη Θεσσαλονίκη — φωτογραφία από το λιμάνι 🌅 IMG_20240305_070809.heic',
];
/** Pages images come from, with the queries and fragments the history drops. */
const PAGES = [
  'https://www.example-news.co.jp/ニュース/2024/03/05/記事-タイトル-長い?utm_source=feed&session=abc#comments',
  'https://photos.example.com/albums/2024/family-trip-to-the-mountains/photo/IMG_20240305_070809?authkey=Gv1sRgCJ',
  'https://ru.wikipedia.org/wiki/Санкт-Петербург#История',
];

const profile = (id: string, i: number): KeysProfile => ({ ...EMPTY_PROFILE, id, name: `Profile ${i}`, accessKeyId: 'AKIAEXAMPLE', bucket: `bucket-${i}`, region: 'eu-west-1' });

const rendered = new Map<string, string>();
/**
 * The key the default template gives: rendered once per name and day (rendering
 * 20 000 keys takes seconds on a loaded machine), each upload's UUID put in.
 */
function keyOf(name: string, now: Date, uuid: string): string {
  const at = `${name}|${now.toISOString().slice(0, 10)}`;
  if (!rendered.has(at)) rendered.set(at, renderKey(DEFAULT_KEY_TEMPLATE, { name, now, uuid: '{uuid}' }));
  return rendered.get(at)!.replace('{uuid}', uuid);
}

/** A finished upload as the background records it, to a profile, `n` seconds after T0. */
function upload(n: number, profileId: string): RecentUpload {
  const name = NAMES[n % NAMES.length]!;
  const now = new Date(T0 + n * 1000);
  const uuid = `${n.toString(16).padStart(8, '0')}-1b7d-4c55-9e0a-6d2f7b8c9a10`;
  return {
    id: `${n.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`,
    source: n % 3 ? 'image' : 'screenshot',
    name,
    size: 1_234_567 + n,
    type: name.endsWith('.pdf') ? 'application/pdf' : 'image/jpeg',
    status: 'done',
    at: now.getTime(),
    key: keyOf(name, now, uuid),
    link: `https://bucket.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=${'f'.repeat(64)}`,
    linkExpiresAt: now.getTime() + 86_400_000,
    copied: true,
    pageUrl: PAGES[n % PAGES.length]!,
    profileId,
  };
}

/** What Chrome counts against `storage.local`'s quota for one item: its key plus its value as JSON, in UTF-8. */
const quotaBytes = (key: string, value: unknown) => Buffer.byteLength(key + JSON.stringify(value), 'utf8');

const MB = 1024 * 1024;

beforeEach(() => {
  fakeBrowser.reset();
});

describe('history at its limit', () => {
  // Moves 12 MiB through the fake storage several times on purpose: seconds on a loaded machine, whatever the code does.
  it('four profiles at 5 000 realistic entries each: size and the cost of one more upload', { timeout: 60_000 }, async () => {
    expect(MAX_HISTORY_LIMIT).toBe(5000);
    await profilesItem.setValue({ profiles: PROFILE_IDS.map(profile), defaultId: PROFILE_IDS[0]! });
    await historySettingsItem.setValue({ limit: MAX_HISTORY_LIMIT });
    let n = 0;
    const entries: HistoryEntry[] = PROFILE_IDS.flatMap((id) => Array.from({ length: MAX_HISTORY_LIMIT }, () => entryFromUpload(upload(n++, id), id)!));
    entries.sort((a, b) => b.at - a.at);
    await historyItem.setValue({ entries });

    const total = quotaBytes('history', { entries });
    const perEntry = total / entries.length;
    const oneProfile = quotaBytes('history', { entries: entries.filter((e) => e.profileId === PROFILE_IDS[0]) });

    const warn = vi.fn(async () => {});
    const record = storedUploadRecorder(storedHistory(() => profilesItem.getValue()), warn);
    const newest = upload(n++, PROFILE_IDS[1]!);
    const started = performance.now();
    await record(newest);
    const recordMs = performance.now() - started;
    // What the browser does on top of the in-memory fake: turn the whole value into JSON once more.
    const serialized = performance.now();
    JSON.stringify(await historyItem.getValue());
    const serializeMs = performance.now() - serialized;

    // Measured on the shared two-core test machine: 635 B an entry, 3.03 MiB per full profile, 12.12 MiB for four:
    // past Chrome's 10 MiB QUOTA_BYTES, which profiles and secrets share, from the fourth full profile on (the third
    // with a little more per entry). One record at the limit: 0.7–1.1 s in the fake (load, add, bound, store; the
    // fake copies the whole value each way), plus 0.1–0.4 s to turn it into JSON once more as a browser does.
    // Splitting the item per profile would not change the total against the quota: hence `unlimitedStorage`
    // (docs/security.md, Permissions). It would cut each write to one profile's 3 MiB; left for when a record's cost matters.
    console.log(
      `history at the limit: ${entries.length} entries, ${(total / MB).toFixed(2)} MiB (${perEntry.toFixed(0)} B/entry; ` +
        `${(oneProfile / MB).toFixed(2)} MiB per profile); one record ${recordMs.toFixed(0)} ms + JSON ${serializeMs.toFixed(0)} ms`,
    );

    expect(perEntry).toBeGreaterThan(500);
    // Chrome's quota without unlimitedStorage: 10 MiB for every storage.local item together.
    expect(total).toBeGreaterThan(10 * MB);
    expect(oneProfile).toBeLessThan(10 * MB / 3);

    const after = (await historyItem.getValue()).entries;
    expect(after).toHaveLength(entries.length);
    expect(after[0]).toMatchObject({ id: newest.id, profileId: PROFILE_IDS[1], pageUrl: 'https://ru.wikipedia.org/wiki/%D0%A1%D0%B0%D0%BD%D0%BA%D1%82-%D0%9F%D0%B5%D1%82%D0%B5%D1%80%D0%B1%D1%83%D1%80%D0%B3' });
    // That profile lost its oldest; the others kept all of theirs.
    const count = (id: string) => after.filter((e) => e.profileId === id).length;
    expect(PROFILE_IDS.map(count)).toEqual([5000, 5000, 5000, 5000]);
    const oldestOfSecond = entries.filter((e) => e.profileId === PROFILE_IDS[1]).at(-1)!;
    expect(after.some((e) => e.id === oldestOfSecond.id)).toBe(false);
    expect(JSON.stringify(after[0])).not.toMatch(/X-Amz|#/);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('the published revision', () => {
  beforeEach(() => fakeBrowser.reset());

  it('changes after each write of the history or its limit, only growing, so pages know to ask again', async () => {
    const history = storedHistory(() => profilesItem.getValue());
    const revisions: number[] = [];
    const stop = historyRevisionItem.watch((r) => revisions.push(r));
    const one = entryFromUpload(upload(1, PROFILE_IDS[0]!), PROFILE_IDS[0]!)!;
    await history.updateHistory((entries) => [one, ...entries]);
    await history.updateHistory((entries) => entries);
    await history.saveLimit(10);
    stop();
    expect(revisions).toHaveLength(3);
    expect(revisions[1]!).toBeGreaterThan(revisions[0]!);
    expect(revisions[2]!).toBeGreaterThan(revisions[1]!);
    // A worker started later goes on from where it is: its first revision is newer still.
    await storedHistory(() => profilesItem.getValue()).updateHistory((entries) => entries);
    expect(await historyRevisionItem.getValue()).toBeGreaterThan(revisions[2]!);
  });
});

describe('when the history cannot be written', () => {
  async function setUp() {
    await profilesItem.setValue({ profiles: [profile(PROFILE_IDS[0]!, 0)], defaultId: PROFILE_IDS[0]! });
    const earlier = entryFromUpload(upload(1, PROFILE_IDS[0]!), PROFILE_IDS[0]!)!;
    await historyItem.setValue({ entries: [earlier] });
    const warn = vi.fn(async (_title: string, _sentence: string) => {});
    return { earlier, warn, record: storedUploadRecorder(storedHistory(() => profilesItem.getValue()), warn) };
  }

  /** `storage.local.set` rejects writes of the history, as a browser does once its storage is full. */
  function failHistoryWrites(error: Error) {
    // The failure is logged for whoever reads the worker's console; keep it out of the test output.
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const set = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    return vi.spyOn(fakeBrowser.storage.local, 'set').mockImplementation(async (items) => {
      if ('history' in items) throw error;
      return set(items);
    });
  }

  it('storage full: the history keeps what it had, and the user is told in a sentence that the upload is done but not in it', async () => {
    const { earlier, warn, record } = await setUp();
    failHistoryWrites(new Error(CHROME_QUOTA));
    const done = upload(2, PROFILE_IDS[0]!);
    // The upload itself stands: recording never throws into the finish that delivers its link.
    await expect(record(done)).resolves.toBeUndefined();

    expect((await historyItem.getValue()).entries).toEqual([earlier]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      'Upload history not saved',
      `"${done.name}" is uploaded, but the browser's storage for S3 Drop is full, so it is not in the upload history. Keep fewer uploads per profile in the history settings, or clear a profile's history.`,
    );
  });

  it('Firefox’s QuotaExceededError reads the same; another failure gives its reason', async () => {
    const { warn, record } = await setUp();
    const spy = failHistoryWrites(Object.assign(new Error('The current transaction exceeded its quota limitations.'), { name: 'QuotaExceededError' }));
    await record(upload(2, PROFILE_IDS[0]!));
    expect(warn.mock.calls[0]![1]).toMatch(/storage for S3 Drop is full/);
    spy.mockRestore();
    failHistoryWrites(new Error('IO error: database is locked'));
    const second = upload(3, PROFILE_IDS[0]!);
    await record(second);
    expect(warn.mock.calls[1]![1]).toBe(`"${second.name}" is uploaded, but it could not be added to the upload history: IO error: database is locked`);
  });

  it('uploads after the failure are recorded once there is room again; unfinished ones never warn', async () => {
    const { earlier, warn, record } = await setUp();
    const spy = failHistoryWrites(new Error(CHROME_QUOTA));
    await record({ ...upload(2, PROFILE_IDS[0]!), status: 'uploading' });
    expect(warn).not.toHaveBeenCalled();
    await record(upload(2, PROFILE_IDS[0]!));
    expect(warn).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const later = upload(3, PROFILE_IDS[0]!);
    await record(later);
    expect((await historyItem.getValue()).entries.map((e) => e.id)).toEqual([later.id, earlier.id]);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
