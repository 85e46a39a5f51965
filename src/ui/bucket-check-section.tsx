import { useEffect, useRef, useState } from 'preact/hooks';
import type { BucketCheck, BucketFact, BucketFixKind, CheckStatus } from '../bucket-check/facts';
import { sendMessage } from '../messaging/protocol';
import type { Result } from '../result';
import type { UrlSigner } from '../team/errors';
import { t } from '../i18n/t';
import { when } from './history-format';

/** The word a screen reader says before each line, and the mark a sighted user sees. */
const MARKS: Record<CheckStatus, { mark: string; word: () => string }> = {
  ok: { mark: '✓', word: () => t('check_statusOk') },
  problem: { mark: '✗', word: () => t('check_statusProblem') },
  info: { mark: 'i', word: () => t('check_statusInfo') },
  skipped: { mark: '–', word: () => t('check_statusSkipped') },
};

/** The Fix buttons' words, by what they do. */
const FIX_LABELS: Record<BucketFixKind, () => string> = {
  'add-abort-rule': () => t('check_fixAbortRule'),
  'add-expiry-rule': () => t('check_fixExpiryRule'),
};

function FactLine({ fact, busy, onFix }: { fact: BucketFact; busy: boolean; onFix(fix: BucketFixKind): void }) {
  const { mark, word } = MARKS[fact.status];
  const fix = fact.fix && fact.fix.kind !== 'paste-lifecycle' ? fact.fix.kind : null;
  return (
    <li class={`fact ${fact.status}`}>
      <span class="mark" aria-hidden="true">
        {mark}
      </span>
      <div class="fact-body">
        <p>
          <span class="visually-hidden">{word()}: </span>
          {fact.sentence}
        </p>
        {fix && (
          <button type="button" class="primary" onClick={() => onFix(fix)} disabled={busy}>
            {FIX_LABELS[fix]()}
          </button>
        )}
        {fact.fix?.kind === 'paste-lifecycle' && (
          <div class="field">
            <label for={`paste-${fact.id}`}>{t('check_pasteLabel')}</label>
            <textarea id={`paste-${fact.id}`} readOnly rows={8} value={fact.fix.json} />
          </div>
        )}
      </div>
    </li>
  );
}

/** What the check asks, by who signs the profile's URLs: a presign service's profile is checked through them only. */
const INTROS: Record<UrlSigner, () => string> = {
  extension: () => t('check_intro'),
  service: () => t('check_introService'),
};

export interface BucketCheckSectionProps {
  profileId: string;
  signer: UrlSigner;
  /**
   * Counts the editor's *Check my bucket* presses that connected with the
   * saved profile as it is: each new value runs the whole check. The button
   * lives in the editor, where Test connection was, so that one press tests
   * the form first (and asks for access) and then checks the bucket.
   */
  request: number;
}

/**
 * "Check my bucket" for a saved profile: what the bucket does, one line per
 * fact, with a Fix where S3 Drop may apply one. The last result is kept by
 * the background and shown again when the page opens.
 */
export function BucketCheckSection({ profileId, signer, request }: BucketCheckSectionProps) {
  const [check, setCheck] = useState<BucketCheck | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = useRef(profileId);

  useEffect(() => {
    shown.current = profileId;
    setCheck(null);
    setProblem(null);
    void sendMessage('getBucketCheck', { profileId }).then((stored) => {
      if (shown.current === profileId) setCheck(stored);
    });
  }, [profileId]);

  const asked = useRef(request);
  useEffect(() => {
    // A press from before this profile was shown is not a request for it.
    if (request === asked.current) return;
    asked.current = request;
    void run(() => sendMessage('checkBucket', { profileId }));
  }, [request]);

  const run = async (ask: () => Promise<Result<BucketCheck>>) => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await ask();
      if (shown.current !== profileId) return;
      if (r.ok) setCheck(r.value);
      else setProblem(r.error.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="bucket-check" aria-labelledby="check-heading">
      <h2 id="check-heading">{t('check_heading')}</h2>
      <p class="muted">{INTROS[signer]()}</p>
      <div aria-live="polite">
        {busy && <p class="muted">{t('check_running')}</p>}
        {problem && (
          <div class="report bad" role="alert">
            <p>{problem}</p>
          </div>
        )}
        {check && (
          <>
            <p class="muted">{t('check_checkedAt', { when: when(check.checkedAt) })}</p>
            <ul class="checklist" aria-label={t('check_listLabel')}>
              {check.facts.map((fact) => (
                <FactLine
                  key={fact.id}
                  fact={fact}
                  busy={busy}
                  onFix={(fix) => void run(() => sendMessage('fixBucket', { profileId, fix }))}
                />
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
