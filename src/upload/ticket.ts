/**
 * What the two ends of one upload tell each other: the page (or the
 * background) that moves the bytes asks once to start and once to finish;
 * the background, which signs, answers. Everything per file travels in these,
 * so nothing is kept between the two calls (a service worker may restart in
 * between).
 */
import type { CompletedPart, SignedPart } from '../s3/multipart';
import type { SignedRequest } from '../s3/presign';
import type { UrlSigner } from '../team/errors';
import type { PhotoPrivacy } from '../privacy/report';
import type { ImageSettings } from '../images/settings';
import type { ImageChoice } from '../images/choice';

/** Where an upload was started. */
export type UploadSource = 'popup' | 'image' | 'screenshot';

/** A file about to go up, as the background needs to know it. */
export interface UploadRequest {
  /** The profile to upload to; absent means the default. */
  profileId?: string;
  name: string;
  type: string;
  size: number;
  source: UploadSource;
  /** The page an image or screenshot came from: the key template's `{host}`. */
  pageUrl?: string;
  /** For a file of a dropped or chosen folder, its folders below that one (`trip/day1/`): the key template's `{path}`. */
  path?: string;
  /**
   * Store it to be downloaded, never shown, by any link (`Content-Disposition:
   * attachment` signed into the PUT), for page content that could run script.
   * Destinations that cannot sign the header leave it out.
   */
  download?: boolean;
  /**
   * The file's MD5 in base64, when the sender hashed it (files going up in
   * one PUT): signed into the PUT as `Content-MD5` where the destination can.
   */
  md5?: string;
}

/** Whose treatment a file gets: the profile's (absent: the default), and the popup's image choice for this upload, if any. */
export interface TreatmentRequest {
  profileId?: string;
  /** Made in the popup for the files added next: it replaces the profile's image settings. */
  images?: ImageChoice;
}

/**
 * What the background asks done to a file's bytes before it is started: the
 * profile's choices, read there. The bytes are where the upload runs (the
 * runner, or the background for right-clicks), so that is where they are
 * changed; the size the start signs is the changed one.
 */
export interface FileTreatment {
  photoPrivacy: PhotoPrivacy;
  /** How pictures are resized or converted; absent: they go up as they are (the default). */
  images?: ImageSettings;
}

/** The upload as the background decided it: echoed back to sign more, finish or abort. */
export interface UploadTicket {
  /** The id of the upload's history entry, chosen at the start: the popup's live row and the entry are one. */
  id: string;
  profileId: string;
  key: string;
  contentType: string;
  size: number;
  ifNoneMatch?: boolean;
  downloadAs?: string;
  /** Set for a multipart upload. */
  uploadId?: string;
  /** The file's MD5 (base64) the single PUT is signed with; absent: the PUT carries no checksum. */
  md5?: string;
}

/** How the bytes go: one PUT, or parts of `partSize` (the first URLs signed already). */
export type TransferPlan =
  | { kind: 'single'; put: SignedRequest }
  | { kind: 'multipart'; uploadId: string; partSize: number; parts: SignedPart[] };

export interface UploadStart {
  ticket: UploadTicket;
  transfer: TransferPlan;
  /** For sentences about S3's answers to the transfer: where it goes, and who signed its URLs. */
  context: { bucket: string; region: string; endpoint: string; signer: UrlSigner };
  /**
   * The destination signs a `Content-MD5` into upload URLs: every part's spec
   * should carry its MD5, and a single PUT's ticket the file's (signed again
   * with `signPut` if the start had none). Absent: no checksum is sent.
   */
  checksum?: 'md5';
}

/**
 * An upload begun before a restart, as its journal entry names it (see
 * src/upload/journal.ts): the background makes a ticket for it only if the
 * profile still exists and still points at the same bucket.
 */
export interface ResumeRequest {
  /** The history id the upload started with. */
  id: string;
  profileId: string;
  bucket: string;
  key: string;
  uploadId: string;
  contentType: string;
  size: number;
  partSize: number;
  name: string;
}

export interface FinishRequest {
  ticket: UploadTicket;
  /** A multipart upload's parts, to join. */
  parts?: CompletedPart[];
  name: string;
  source: UploadSource;
  pageUrl?: string;
  /** Seconds the share link should live; default the profile's. */
  expiresIn?: number;
  /** Every part (or the single PUT) went with a signed Content-MD5 that the server accepted. */
  checksummed?: boolean;
}

export interface UploadFinish {
  link: SignedRequest;
  /** When the bucket deletes the object (ms), for a profile with Auto-delete; absent: it stays. */
  deletesAt?: number;
  /** What goes on the clipboard: the link in the profile's format (Markdown, HTML…). */
  copyText: string;
  /** Seconds the link lives; absent for links that never expire (public, custom domain). */
  lifetimeSeconds?: number;
  /** The server verified a checksum of every part (or of the one PUT): recorded so in the history. */
  verified?: true;
}
