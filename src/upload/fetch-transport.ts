import { UploadAbortedError, type PutTransport } from './transport';

/** A transport over `fetch`. Progress is reported once, at the end: fetch cannot observe upload progress. */
export function fetchTransport(fetchImpl: typeof fetch = fetch): PutTransport {
  return {
    async put({ url, body, headers, onProgress, signal }) {
      let res: Response;
      try {
        res = await fetchImpl(url, { method: 'PUT', body, headers, signal: signal ?? null });
      } catch (err) {
        if (signal?.aborted) throw new UploadAbortedError();
        throw err;
      }
      const text = await res.text();
      if (res.ok) onProgress?.(body.size);
      return { status: res.status, body: text, etag: res.headers.get('etag'), bucketRegion: res.headers.get('x-amz-bucket-region') };
    },
  };
}
