/** How bytes reach S3. Injected, so the engine runs the same in a page (XHR, with progress) and in Node tests (fetch). */
export interface PutTransport {
  put(request: PutRequest): Promise<PutResponse>;
}

export interface PutRequest {
  url: string;
  body: Blob;
  headers: Record<string, string>;
  /** Bytes sent so far of this body. */
  onProgress?: (loaded: number) => void;
  signal?: AbortSignal;
}

export interface PutResponse {
  status: number;
  /** The error XML on failure; may be empty. */
  body: string;
  etag?: string | null;
  bucketRegion?: string | null;
}

/** Thrown by transports when the request was aborted. */
export class UploadAbortedError extends Error {
  constructor() {
    super('The upload was cancelled.');
    this.name = 'AbortError';
  }
}
