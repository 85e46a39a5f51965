import type { ComponentChildren, JSX } from 'preact';
import type { FieldErrors, ProfileField } from '../../settings/profile';
import type { EditorAction, EditorState } from './draft';

/**
 * How every field of the profile editor is labelled, hinted and marked wrong,
 * so the groups all read the same to a screen reader: the input names its
 * hint and its problem, and only Save's refusal is announced.
 */
export interface FieldKit {
  /** Save's answer for a field, else what is wrong with it now. */
  problemOf(id: ProfileField): string | undefined;
  /** Save refused this field (its problem is announced, not only shown). */
  refused(id: ProfileField): boolean;
  /** A labelled field with its hint and problem under it. */
  field(id: ProfileField, label: string, input: JSX.Element, hint?: ComponentChildren): JSX.Element;
  /** The input's id and its links to the hint (when it has one) and the problem. */
  a11y(id: ProfileField, hint?: boolean): { id: string; 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined };
}

export function fieldKit(errors: FieldErrors, live: FieldErrors): FieldKit {
  const problemOf = (id: ProfileField) => errors[id] ?? live[id];
  const refused = (id: ProfileField) => Boolean(errors[id]);
  return {
    problemOf,
    refused,
    field: (id, label, input, hint) => (
      <div class="field">
        <label for={id}>{label}</label>
        {input}
        {hint && (
          <p class="hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {problemOf(id) && (
          // Save's refusal is announced; a problem seen while typing is only linked to its field.
          <p class="error" id={`${id}-error`} role={refused(id) ? 'alert' : undefined}>
            {problemOf(id)}
          </p>
        )}
      </div>
    ),
    a11y: (id, hint) => ({
      id,
      'aria-invalid': problemOf(id) ? ('true' as const) : undefined,
      'aria-describedby': [hint ? `${id}-hint` : '', problemOf(id) ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
    }),
  };
}

/** What every field group is given: the state to show, where to send changes, and the shared field markup. */
export interface GroupProps {
  state: EditorState;
  dispatch(action: EditorAction): void;
  kit: FieldKit;
}
