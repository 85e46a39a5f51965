import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/t';

/** An inline confirmation: focus moves to the safe choice; Escape keeps. */
export function ConfirmBox(props: { id: string; question: string; yes: string; onYes(): void; onNo(): void }) {
  const safe = useRef<HTMLButtonElement>(null);
  useEffect(() => safe.current?.focus(), []);
  return (
    <div
      class="confirm"
      role="alertdialog"
      aria-labelledby={`${props.id}-question`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onNo();
      }}
    >
      <p id={`${props.id}-question`}>{props.question}</p>
      <div class="entry-actions">
        <button type="button" class="danger-solid" onClick={props.onYes}>
          {props.yes}
        </button>
        <button type="button" ref={safe} onClick={props.onNo}>
          {t('history_keep')}
        </button>
      </div>
    </div>
  );
}
