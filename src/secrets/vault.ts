/**
 * Secrets at rest, sealed under a user passphrase: PBKDF2-HMAC-SHA256 turns
 * the passphrase into an AES-256-GCM key, and the envelope carries everything
 * needed to derive it again except the passphrase itself.
 *
 * Pure WebCrypto through `globalThis.crypto.subtle`, so the same code runs in
 * the service worker, extension pages and the Node unit tests.
 */
import { t } from '../i18n/t';

/**
 * PBKDF2-HMAC-SHA256 iterations for new vaults: OWASP's 2023 figure. Below it a
 * stolen profile folder is cheap to brute-force; far above it, unlocking makes
 * slow machines wait seconds.
 */
export const PBKDF2_ITERATIONS = 600_000;

/** How the key was derived from the passphrase; stored in the clear next to the ciphertext. */
export interface VaultKdf {
  name: 'PBKDF2';
  hash: 'SHA-256';
  iterations: number;
  /** Base64 of 16 random bytes. */
  salt: string;
}

/** What is stored: the KDF parameters and the AES-GCM ciphertext of the plaintext. */
export interface VaultEnvelope {
  v: 1;
  kdf: VaultKdf;
  cipher: {
    name: 'AES-GCM';
    /** Base64 of 12 random bytes, fresh for every seal. */
    iv: string;
    /** Base64 of the ciphertext followed by the 16-byte tag. */
    data: string;
  };
}

/**
 * Thrown when the passphrase (or key) does not open the envelope: AES-GCM's
 * tag check failed. A wrong key and a tampered envelope look the same to GCM,
 * so this also covers edited ciphertext, IV or KDF parameters.
 */
export class WrongPassphraseError extends Error {
  constructor(message = 'The passphrase is wrong.') {
    super(message);
    this.name = 'WrongPassphraseError';
  }
}

const SALT_BYTES = 16;
// 96 bits is the IV size GCM is specified around; other sizes get hashed into one, weakening the bounds.
const IV_BYTES = 12;
const KEY_BYTES = 32;
const KEY_ALGORITHM = { name: 'AES-GCM', length: KEY_BYTES * 8 } as const;
const KEY_USAGES: KeyUsage[] = ['encrypt', 'decrypt'];

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A KDF with a fresh random salt; `iterations` defaults to {@link PBKDF2_ITERATIONS}. */
export function newKdf(iterations: number = PBKDF2_ITERATIONS): VaultKdf {
  assertIterations(iterations);
  return { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(randomBytes(SALT_BYTES)) };
}

/**
 * Derives the vault's AES-GCM 256 key. It is extractable because the unlocked
 * key is kept in `storage.session` for the rest of the browser session, so the
 * passphrase is asked once, not on every read.
 *
 * Accepts any iteration count from 1 (tests use small ones for speed); new
 * vaults get their count from {@link newKdf} or {@link seal}.
 */
export async function deriveVaultKey(passphrase: string, kdf: VaultKdf): Promise<CryptoKey> {
  assertIterations(kdf.iterations);
  const salt = fromBase64(kdf.salt, 'salt');
  if (salt.length < SALT_BYTES) throw new Error(t('vault_saltShort', { bytes: salt.length, min: SALT_BYTES }));
  const subtle = globalThis.crypto.subtle;
  const material = await subtle.importKey('raw', utf8Encoder.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: kdf.iterations },
    material,
    KEY_ALGORITHM,
    true,
    KEY_USAGES,
  );
}

/**
 * Encrypts `plaintext` under `key` with a fresh IV. `kdf` must be the one the
 * key came from: it is written into the envelope and authenticated with it.
 */
export async function sealWithKey(key: CryptoKey, kdf: VaultKdf, plaintext: string): Promise<VaultEnvelope> {
  // A copy, so extra properties on the caller's object never reach storage and later edits to it do not alias.
  const ownKdf: VaultKdf = { name: 'PBKDF2', hash: 'SHA-256', iterations: kdf.iterations, salt: kdf.salt };
  assertIterations(ownKdf.iterations);
  const iv = randomBytes(IV_BYTES);
  const data = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: associatedData(1, ownKdf) },
    key,
    utf8Encoder.encode(plaintext),
  );
  return { v: 1, kdf: ownKdf, cipher: { name: 'AES-GCM', iv: toBase64(iv), data: toBase64(new Uint8Array(data)) } };
}

/**
 * Decrypts the envelope with a key already derived (or restored from the
 * session). Throws {@link WrongPassphraseError} when the tag does not verify,
 * and a plain Error when the envelope is not even well-formed.
 */
export async function openWithKey(envelope: VaultEnvelope, key: CryptoKey): Promise<string> {
  if (!isVaultEnvelope(envelope)) throw new Error(t('vault_unknownFormat'));
  const iv = fromBase64(envelope.cipher.iv, 'IV');
  if (iv.length !== IV_BYTES) throw new Error(t('vault_ivDamaged', { bytes: iv.length, expected: IV_BYTES }));
  const data = fromBase64(envelope.cipher.data, 'ciphertext');
  let plain: ArrayBuffer;
  try {
    plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(envelope.v, envelope.kdf) },
      key,
      data,
    );
  } catch (err) {
    // OperationError is WebCrypto's only signal for a failed tag (or data shorter than one); anything else is a real fault.
    if (err instanceof Error && err.name === 'OperationError') throw new WrongPassphraseError();
    throw err;
  }
  return utf8Decoder.decode(plain);
}

/**
 * Seals `plaintext` under a passphrase with a new salt and IV, and returns the
 * key too so the caller can keep the vault unlocked without deriving again.
 * `iterations` is for tests; the product leaves it at {@link PBKDF2_ITERATIONS}.
 */
export async function seal(
  passphrase: string,
  plaintext: string,
  iterations: number = PBKDF2_ITERATIONS,
): Promise<{ envelope: VaultEnvelope; key: CryptoKey }> {
  if (passphrase === '') throw new Error(t('vault_passphraseEmpty'));
  const kdf = newKdf(iterations);
  const key = await deriveVaultKey(passphrase, kdf);
  return { envelope: await sealWithKey(key, kdf, plaintext), key };
}

/** Opens the envelope with a passphrase; throws {@link WrongPassphraseError} when it is not the one it was sealed with. */
export async function open(envelope: VaultEnvelope, passphrase: string): Promise<{ plaintext: string; key: CryptoKey }> {
  if (!isVaultEnvelope(envelope)) throw new Error(t('vault_unknownFormat'));
  const key = await deriveVaultKey(passphrase, envelope.kdf);
  return { plaintext: await openWithKey(envelope, key), key };
}

/** The key's raw bytes as base64, for `storage.session`. */
export async function exportVaultKey(key: CryptoKey): Promise<string> {
  return toBase64(new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', key)));
}

/** The inverse of {@link exportVaultKey}: an extractable AES-GCM 256 key for encrypt and decrypt. */
export async function importVaultKey(raw: string): Promise<CryptoKey> {
  const bytes = fromBase64(raw, 'key');
  // AES also takes 16 and 24 bytes; anything but 32 here means the session holds something that is not our key.
  if (bytes.length !== KEY_BYTES) throw new Error(t('vault_keyDamaged', { bytes: bytes.length, expected: KEY_BYTES }));
  return globalThis.crypto.subtle.importKey('raw', bytes, KEY_ALGORITHM, true, KEY_USAGES);
}

/**
 * Whether a value read from storage has the shape of a {@link VaultEnvelope}.
 * Deliberately structural only: rejecting a real vault over a detail would
 * make callers treat it as absent and risk writing over it.
 */
export function isVaultEnvelope(value: unknown): value is VaultEnvelope {
  if (!isRecord(value) || value.v !== 1) return false;
  const { kdf, cipher } = value;
  return (
    isRecord(kdf) &&
    kdf.name === 'PBKDF2' &&
    kdf.hash === 'SHA-256' &&
    typeof kdf.iterations === 'number' &&
    Number.isSafeInteger(kdf.iterations) &&
    kdf.iterations >= 1 &&
    typeof kdf.salt === 'string' &&
    isRecord(cipher) &&
    cipher.name === 'AES-GCM' &&
    typeof cipher.iv === 'string' &&
    typeof cipher.data === 'string'
  );
}

/**
 * The bytes authenticated alongside the ciphertext. Binding the version and KDF
 * means an attacker who edits the stored iterations or salt gets a vault that
 * no longer opens, instead of one that opens with the session key and is then
 * re-sealed under their weaker parameters. Built field by field so the order,
 * and so the bytes, never depend on how storage happened to order the keys.
 */
function associatedData(v: 1, kdf: VaultKdf): Uint8Array<ArrayBuffer> {
  return utf8Encoder.encode(
    JSON.stringify({ v, kdf: { name: kdf.name, hash: kdf.hash, iterations: kdf.iterations, salt: kdf.salt } }),
  );
}

/**
 * A stored count above this is damage, not caution: deriving with it would
 * hang the service worker for minutes (600 000 takes ~0.25 s here).
 */
export const MAX_PBKDF2_ITERATIONS = 20_000_000;

function assertIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new Error(t('vault_iterationsInvalid', { iterations: String(iterations) }));
  }
  if (iterations > MAX_PBKDF2_ITERATIONS)
    throw new Error(t('vault_iterationsTooMany', { iterations }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

// Spreading a whole array into String.fromCharCode overflows the call stack past ~100k arguments.
const BASE64_CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    parts.push(String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK)));
  }
  return btoa(parts.join(''));
}

/** `what` names the field in the error, since atob's own message does not say which one was bad. */
function fromBase64(base64: string, what: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    throw new Error(t('vault_base64Damaged', { what }));
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
