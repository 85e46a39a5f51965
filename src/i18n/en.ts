/**
 * Every user-visible string, in English: the source of
 * `_locales/en/messages.json` (written at build time, see wxt.config.ts).
 * Keys are `area_what`; `{name}` marks a placeholder. Add a language by adding
 * `src/i18n/<lang>.ts` with the same keys.
 */
export const en = {
  ext_name: 'S3 Drop',
  ext_description: 'Upload files to your own S3 bucket from the toolbar; the share link lands on your clipboard.',
  ext_actionTitle: 'S3 Drop',
  command_saveScreenshot: 'Save a screenshot of this page to S3',
  command_openPopup: 'Open S3 Drop',

  menu_saveImage: 'Save image to S3',
  menu_saveScreenshot: 'Save screenshot of this page to S3',
  menu_profileDefault: '{name} (default)',

  notify_linkCopied: 'Link copied',
  notify_uploadedNotCopied: 'Uploaded — open S3 Drop to copy the link',

  error_notConfigured: 'No bucket is set up yet. Open Options and enter your bucket and keys.',
  error_profileGone: 'The profile this upload was for has been deleted. Choose another profile and upload again.',
  error_locked: 'S3 Drop is locked. Click the S3 Drop button in the toolbar and enter your passphrase; nothing is uploaded until then.',

  unlock_locked: 'S3 Drop is locked.',
  unlock_waitingOne: '1 upload will start when you unlock.',
  unlock_waitingMany: '{count} uploads will start when you unlock.',
  unlock_prompt: 'Enter your passphrase to upload.',
  unlock_passphrase: 'Passphrase',
  unlock_button: 'Unlock',

  security_heading: 'Passphrase',
  security_statePlain:
    'Your secrets are stored unencrypted in this browser’s extension storage, like a password manager without a primary password. Set a passphrase to encrypt them; S3 Drop then asks for it once per browser session.',
  security_stateLocked: 'Your secrets are encrypted with your passphrase (AES-GCM, key from PBKDF2-SHA-256). S3 Drop is locked in this browser session.',
  security_stateUnlocked: 'Your secrets are encrypted with your passphrase (AES-GCM, key from PBKDF2-SHA-256). S3 Drop is unlocked in this browser session.',
  security_setLegend: 'Encrypt secrets with a passphrase',
  security_changeLegend: 'Change the passphrase',
  security_current: 'Current passphrase',
  security_new: 'New passphrase',
  security_newHint: 'At least 8 characters. It cannot be recovered: forget it and you enter your keys again.',
  security_repeat: 'Repeat the passphrase',
  security_setButton: 'Encrypt secrets',
  security_changeButton: 'Change passphrase',
  security_removeButton: 'Remove passphrase',
  security_lockNow: 'Lock now',
  security_mismatch: 'The two new passphrases differ. Type the same one twice.',
  security_changed: 'Passphrase changed. Every secret is sealed under the new one.',
  security_encrypted: 'Secrets are encrypted now. S3 Drop asks for the passphrase once per browser session.',
  security_removed: 'Passphrase removed. Secrets are stored unencrypted again.',
  security_lockedNow: 'Locked. Uploads wait for the passphrase.',
  security_lockAfter: 'Lock after idle (minutes)',
  security_lockAfterHint: '0 keeps it unlocked until the browser closes.',
  security_lockAfterSave: 'Save lock time',
  security_lockAfterSaved: 'S3 Drop locks itself after {minutes} idle minutes.',
  security_lockNever: 'S3 Drop stays unlocked until the browser closes.',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
