import { useState } from 'preact/hooks';

/**
 * A page's one-thing-at-a-time action: `busy` while it runs (buttons
 * disable), and the sentence it ends with as `status` (cleared when the next
 * one starts).
 */
export function useAction<S>() {
  const [status, setStatus] = useState<S | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<S | null>): Promise<void> => {
    setBusy(true);
    setStatus(null);
    try {
      setStatus(await work());
    } finally {
      setBusy(false);
    }
  };
  return { status, setStatus, busy, run };
}
