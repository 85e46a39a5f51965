/**
 * Reading a right-clicked image's bytes without being turned against the user.
 *
 * A page chooses the URL. Fetched as is — following redirects, sending
 * cookies, with the extension's host permissions letting the answer through —
 * it could redirect to a cookie-protected resource on another origin the
 * extension holds (the bucket, a site saved from earlier) and get those
 * private bytes uploaded and the link put on the clipboard.
 *
 * Browsers never show a redirect's `Location` to `redirect: 'manual'` (the
 * answer is an opaque `opaqueredirect`), so hops cannot be judged one by one.
 * Instead:
 * 1. the clicked URL alone is asked, with cookies, without following a
 *    redirect: an answer that is not a redirect is used;
 * 2. a redirect is followed in a second request that carries no cookies, so
 *    whatever it reaches could be read by anyone;
 * 3. unless it ends on the user's own storage (a bucket or a presign service):
 *    those can trust the network a request comes from (a bucket policy that
 *    allows an office's addresses, a service on the intranet), so a
 *    cookie-less read from the user's browser is still a privileged one.
 *
 * The same function runs in the background and, through
 * `scripting.executeScript`, inside the page: it is serialised there, so it
 * imports nothing, closes over nothing, and answers with plain data (the
 * caller turns reasons into sentences).
 */

/** What the reader may do. Plain data, so it crosses into the page. */
export interface ReadPolicy {
  /**
   * Where a redirect may not end: `scheme://host`, without a port, as host
   * permissions are granted (see `ownStorageHosts`).
   */
  forbiddenHosts: string[];
  /** Reading stops past this many bytes, whatever `Content-Length` said (or if it said nothing). */
  maxBytes: number;
  /** Milliseconds to wait for the server to start answering. */
  answerMs: number;
  /** Milliseconds to wait for the next piece of the body before calling the server stalled. */
  stallMs: number;
  /** `base64` where the answer must cross a process boundary as JSON (from the page). */
  encoding: 'bytes' | 'base64';
}

/**
 * Why 30 s for each: a server that has not started answering after half a
 * minute, or that sends nothing for half a minute mid-body, is not going to
 * finish, and the user is waiting on a notification. There is no limit on the
 * whole transfer: a 64 MiB image on a slow but steady link may take minutes,
 * and each piece that arrives restarts the stall clock.
 */
export const DEFAULT_ANSWER_MS = 30_000;
export const DEFAULT_STALL_MS = 30_000;

export type GuardedRead =
  | {
      ok: true;
      bytes?: Uint8Array;
      base64?: string;
      contentType: string | null;
      contentDisposition: string | null;
      /** Where the bytes came from in the end (the clicked URL unless it redirected). */
      finalUrl: string;
    }
  | {
      ok: false;
      reason: 'status' | 'too-large' | 'network' | 'no-answer' | 'stalled' | 'own-storage';
      status?: number;
      /** For `own-storage`: the host the redirect led to. */
      host?: string;
      detail?: string;
    };

/** Reads `url` under `policy`; see the module comment. Self-contained: it is serialised into pages. */
export async function guardedRead(url: string, policy: ReadPolicy, fetchImpl?: typeof fetch): Promise<GuardedRead> {
  const doFetch = fetchImpl ?? fetch;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: 'no-answer' | 'stalled' | null = null;
  const arm = (ms: number, reason: 'no-answer' | 'stalled') => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = reason;
      controller.abort();
    }, ms);
  };
  const fail = (reason: Exclude<GuardedRead, { ok: true }>['reason'], extra: { status?: number; host?: string; detail?: string } = {}): GuardedRead => ({
    ok: false,
    reason,
    ...extra,
  });
  try {
    arm(policy.answerMs, 'no-answer');
    let res: Response;
    try {
      res = await doFetch(url, { credentials: 'include', redirect: 'manual', signal: controller.signal });
      // Browsers answer `opaqueredirect`; servers-side fetches (Node) hand back the 3xx itself.
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        await res.body?.cancel().catch(() => {});
        res = await doFetch(url, { credentials: 'omit', redirect: 'follow', signal: controller.signal });
        // The clicked host itself is what the user asked for; another of theirs is not.
        const hostOf = (u: URL) => `${u.protocol}//${u.hostname}`;
        const finalUrl = new URL(res.url || url);
        if (hostOf(finalUrl) !== hostOf(new URL(url)) && policy.forbiddenHosts.includes(hostOf(finalUrl))) {
          await res.body?.cancel().catch(() => {});
          return fail('own-storage', { host: finalUrl.host });
        }
      }
    } catch (err) {
      return timedOut ? fail(timedOut) : fail('network', { detail: String(err) });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return fail('status', { status: res.status });
    }
    if (Number(res.headers.get('content-length') ?? 0) > policy.maxBytes) {
      await res.body?.cancel().catch(() => {});
      return fail('too-large');
    }
    // Counted as it arrives: a chunked body says nothing of its size, and Content-Length can lie.
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          arm(policy.stallMs, 'stalled');
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          if (total > policy.maxBytes) {
            await reader.cancel().catch(() => {});
            return fail('too-large');
          }
          chunks.push(value);
        }
      } catch (err) {
        return timedOut ? fail(timedOut) : fail('network', { detail: String(err) });
      }
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const head = {
      contentType: res.headers.get('content-type'),
      contentDisposition: res.headers.get('content-disposition'),
      finalUrl: res.url || url,
    };
    if (policy.encoding === 'bytes') return { ok: true, bytes, ...head };
    // Native where the browser has it (Chrome 140+, Firefox 133+); else 32 KiB slices, far below V8's argument limit.
    const native = (bytes as unknown as { toBase64?: () => string }).toBase64;
    let base64: string;
    if (native) base64 = native.call(bytes);
    else {
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
      base64 = btoa(binary);
    }
    return { ok: true, base64, ...head };
  } finally {
    clearTimeout(timer);
  }
}
