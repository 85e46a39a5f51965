/**
 * The upload journal: what is needed to finish a multipart upload after the
 * browser restarted, kept in the extension's IndexedDB (see journal-store.ts).
 * An entry names the upload (profile, bucket, key, upload ID), its finished
 * parts and the file's identity; it never holds a URL or a secret, so the
 * journal may be read by any of the extension's pages.
 *
 * This module is pure: the entry's shape, reconciling it with the bucket's
 * ListParts answer, and recognising the file when the user picks it again.
 */
import type { ListedPart } from '../s3/multipart';
import type { ResumeRequest } from './ticket';

/** Bump when the entry's shape changes; older entries are then dropped by the store (an upload left behind is aborted by the bucket's lifecycle rule, or by the sweep before the change). */
export const JOURNAL_VERSION = 1;

/** A part stored in the bucket, as its PUT answered. */
export interface JournalPart {
  partNumber: number;
  etag: string;
  size: number;
  /** The checksum the part was sent with, when it carried one (base64, as in its header). */
  checksum?: string;
}

/** What tells the file picked again from another file: the cheap facts first, then a hash of a few ranges of it. */
export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
  /** Hex SHA-256 of the sampled ranges (see `sampleRanges`), in order. */
  sampleSha256: string;
}

export interface JournalEntry {
  version: typeof JOURNAL_VERSION;
  /** The upload's history id (the ticket's): the resumed upload finishes under it. */
  id: string;
  profileId: string;
  bucket: string;
  key: string;
  uploadId: string;
  contentType: string;
  partSize: number;
  parts: JournalPart[];
  identity: FileIdentity;
  /** The file's name as the user knows it. */
  name: string;
  createdAt: number;
  /** The last part that went up (or the start): the age the sweep goes by. */
  updatedAt: number;
  /**
   * The file's handle, where the browser gave one (Chrome's file picker): Resume
   * reads the file through it after asking leave once (file-handle.ts). Absent for
   * dropped files, Firefox and older entries: Resume asks for the file again.
   * IndexedDB keeps it as it keeps a File; it names a file, it holds no bytes.
   */
  handle?: FileSystemFileHandle;
}

/** Bytes hashed from each sampled place of the file. */
export const SAMPLE_BYTES = 64 * 1024;

/** The first, middle and last `SAMPLE_BYTES` of a file (fewer, or one range, for a small file). */
export function sampleRanges(size: number, sample = SAMPLE_BYTES): { start: number; end: number }[] {
  if (size <= 3 * sample) return [{ start: 0, end: size }];
  const middle = Math.floor((size - sample) / 2);
  return [
    { start: 0, end: sample },
    { start: middle, end: middle + sample },
    { start: size - sample, end: size },
  ];
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** The identity of a file: reads at most 192 KiB of it, however large, so a 20 GiB file is recognised at once. */
export async function fileIdentity(file: Blob, facts: { name: string; lastModified: number }, subtle: SubtleCrypto = crypto.subtle): Promise<FileIdentity> {
  const parts = await Promise.all(sampleRanges(file.size).map((r) => file.slice(r.start, r.end).arrayBuffer()));
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return { name: facts.name, size: file.size, lastModified: facts.lastModified, sampleSha256: hex(await subtle.digest('SHA-256', joined)) };
}

/** Why a file picked again is not the one the upload started with; `ok` when it is. The name may differ (a copy, a renamed file), the bytes may not. */
export type IdentityMatch = 'ok' | 'size' | 'lastModified' | 'content';

export function matchIdentity(journaled: FileIdentity, picked: FileIdentity): IdentityMatch {
  if (journaled.size !== picked.size) return 'size';
  if (journaled.lastModified !== picked.lastModified) return 'lastModified';
  if (journaled.sampleSha256 !== picked.sampleSha256) return 'content';
  return 'ok';
}

/** ETags are compared without their quotes: S3 quotes them, some servers and SDK paths do not. */
const bareEtag = (etag: string) => etag.replace(/^W\//, '').replace(/"/g, '');

/**
 * The parts that are really in the bucket: journaled parts the ListParts
 * answer has with the same ETag and size. A part the journal has and the
 * bucket lacks (or holds other bytes for) is sent again; a part the bucket
 * has and the journal lacks (its PUT answered as the browser died) is sent
 * again too, since the journal never saw its ETag confirmed for this file.
 */
export function reconcileParts(journaled: readonly JournalPart[], listed: readonly ListedPart[]): JournalPart[] {
  const inBucket = new Map(listed.map((p) => [p.partNumber, p]));
  return journaled
    .filter((p) => {
      const there = inBucket.get(p.partNumber);
      return there !== undefined && there.size === p.size && bareEtag(there.etag) === bareEtag(p.etag);
    })
    .sort((a, b) => a.partNumber - b.partNumber);
}

/** What the background needs to take an upload up again, or to throw it away. */
export const resumeRequestOf = (entry: JournalEntry): ResumeRequest => ({
  id: entry.id,
  profileId: entry.profileId,
  bucket: entry.bucket,
  key: entry.key,
  uploadId: entry.uploadId,
  contentType: entry.contentType,
  size: entry.identity.size,
  partSize: entry.partSize,
  name: entry.name,
});

/** Bytes of the journaled parts: how much of the file went up. */
export const journaledBytes = (entry: Pick<JournalEntry, 'parts'>) => entry.parts.reduce((n, p) => n + p.size, 0);

/** The entry with one more finished part (replacing a part of the same number: a part sent again). */
export function withPart(entry: JournalEntry, part: JournalPart, now: number): JournalEntry {
  return { ...entry, parts: [...entry.parts.filter((p) => p.partNumber !== part.partNumber), part], updatedAt: now };
}

/** Entries not touched for `maxAgeMs`: the sweep aborts their uploads. */
export function staleEntries(entries: readonly JournalEntry[], now: number, maxAgeMs: number): JournalEntry[] {
  return entries.filter((e) => now - e.updatedAt > maxAgeMs);
}

/** Seven days: an unfinished upload older than this is thrown away at start-up, so its parts cost nothing more. */
export const JOURNAL_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether a stored value is an entry of this version (anything else is ignored: another version, or damage). */
export function isJournalEntry(value: unknown): value is JournalEntry {
  const e = value as Partial<JournalEntry> | null;
  return (
    !!e &&
    e.version === JOURNAL_VERSION &&
    typeof e.id === 'string' &&
    typeof e.uploadId === 'string' &&
    typeof e.key === 'string' &&
    typeof e.profileId === 'string' &&
    Array.isArray(e.parts) &&
    typeof e.identity?.sampleSha256 === 'string'
  );
}
