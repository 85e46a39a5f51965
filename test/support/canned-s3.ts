import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';

/** One HTTP answer, as S3 would send it. */
export interface CannedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A request the client sent: method, path, query and (for XML bodies) the body text. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  body: string;
}

/**
 * A real `S3Client` (the SDK's serializers and XML parsers, the same settings
 * as S3 Drop's) whose HTTP layer answers from `answer` instead of the network:
 * a check's decision is tested against S3's own XML, byte for byte. An
 * `answer` that throws is a request that got no answer (the SDK sees the
 * error as its HTTP handler's). `maxAttempts` (default 1) lets the SDK retry.
 */
export function cannedS3(
  answer: (request: SeenRequest) => CannedAnswer,
  options: { maxAttempts?: number } = {},
): { client: S3Client; requests: SeenRequest[] } {
  const requests: SeenRequest[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'https://s3.us-east-1.amazonaws.com',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: {
      async handle(request: HttpRequest) {
        const body = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
        const seen = { method: request.method, path: request.path, query: { ...request.query }, body };
        requests.push(seen);
        const canned = answer(seen);
        return {
          response: new HttpResponse({
            statusCode: canned.status,
            headers: { 'content-type': 'application/xml', ...canned.headers },
            body: Readable.from([Buffer.from(canned.body ?? '')]),
          }),
        };
      },
    },
  });
  return { client, requests };
}

/** An S3 error reply's XML, as AWS writes it. */
export const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>aHR0cHM6</HostId></Error>`;
