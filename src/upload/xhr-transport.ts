import { UploadAbortedError, type PutTransport } from './transport';

/** A transport over XMLHttpRequest: the only browser API that reports upload progress byte by byte. */
export function xhrTransport(): PutTransport {
  return {
    put({ url, body, headers, onProgress, signal }) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new UploadAbortedError());
        const xhr = new XMLHttpRequest();
        xhr.open('PUT', url);
        for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
        xhr.upload.onprogress = (e) => onProgress?.(e.loaded);
        xhr.onload = () =>
          resolve({
            status: xhr.status,
            body: xhr.responseText,
            etag: xhr.getResponseHeader('etag'),
            bucketRegion: xhr.getResponseHeader('x-amz-bucket-region'),
          });
        xhr.onerror = () => reject(new TypeError('Failed to fetch: network error during upload'));
        xhr.ontimeout = () => reject(new TypeError('Failed to fetch: upload timed out'));
        xhr.onabort = () => reject(new UploadAbortedError());
        signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(body);
      });
    },
  };
}
