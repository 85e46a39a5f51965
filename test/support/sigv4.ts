import { createHash, createHmac } from 'node:crypto';
import type { SignedRequest } from '../../src/s3/presign';

// An independent SigV4 check with node:crypto, sharing no code with the signer.

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** Whether this presigned URL verifies under this secret, with these values for the signed headers other than `host`. */
export function signatureValid(signed: SignedRequest, method: 'PUT' | 'GET', secret: string, extraHeaders: Record<string, string> = {}): boolean {
  const url = new URL(signed.url);
  const params = url.search
    .slice(1)
    .split('&')
    .map((pair) => pair.split('=').map((part) => decodeURIComponent(part)) as [string, string]);
  const signature = params.find(([name]) => name === 'X-Amz-Signature')?.[1];
  const query = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const get = (name: string) => params.find(([n]) => n === name)![1];
  const signedHeaders = get('X-Amz-SignedHeaders').split(';');
  const headerValues: Record<string, string> = { host: url.host, ...extraHeaders };
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headerValues[name]}\n`).join('');
  const canonicalRequest = [method, url.pathname, query, canonicalHeaders, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const [, date, region, service] = get('X-Amz-Credential').split('/') as [string, string, string, string];
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', get('X-Amz-Date'), scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex') === signature;
}
