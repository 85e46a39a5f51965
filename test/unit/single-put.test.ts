import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FailureContext } from '../../src/s3/errors';
import { BAD_DIGEST_TRIES, uploadWithSinglePut } from '../../src/upload/single-put';
import type { PutRequest, PutResponse } from '../../src/upload/transport';

const context: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
const BAD_DIGEST = '<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>';

/** A server that recomputes the Content-MD5, and receives the first `damaged` tries with a byte changed. */
function verifyingServer(damaged: number) {
  const received: PutRequest[] = [];
  const transport = {
    async put(request: PutRequest): Promise<PutResponse> {
      received.push(request);
      const bytes = new Uint8Array(await request.body.arrayBuffer());
      if (received.length <= damaged) bytes[0] = bytes[0]! ^ 1;
      const ok = createHash('md5').update(bytes).digest('base64') === request.headers['content-md5'];
      return ok ? { status: 200, body: '', etag: '"e"' } : { status: 400, body: BAD_DIGEST };
    },
  };
  return { transport, received };
}

describe('uploadWithSinglePut: BadDigest', () => {
  const body = new Blob(['%PDF-1.7 a signed contract, page 1 of 12']);
  const md5 = createHash('md5').update('%PDF-1.7 a signed contract, page 1 of 12').digest('base64');
  let signs = 0;
  const sign = async () => ({ url: `https://s3.test/my-bucket/c.pdf?try=${++signs}`, headers: { 'content-md5': md5 } });

  it('sends the file again when its bytes arrived changed, and succeeds', async () => {
    const server = verifyingServer(BAD_DIGEST_TRIES - 1);
    await expect(uploadWithSinglePut({ body, sign, transport: server.transport, context })).resolves.toEqual({ etag: '"e"' });
    expect(server.received).toHaveLength(BAD_DIGEST_TRIES);
    // The whole file each time, with the same signed MD5.
    for (const r of server.received) expect([r.body.size, r.headers['content-md5']]).toEqual([body.size, md5]);
  });

  it(`gives up after ${BAD_DIGEST_TRIES} tries with a sentence that says what to check`, async () => {
    const server = verifyingServer(Infinity);
    const err = await uploadWithSinglePut({ body, sign, transport: server.transport, context }).catch((e: unknown) => e);
    expect(server.received).toHaveLength(BAD_DIGEST_TRIES);
    expect(err).toMatchObject({ userError: { code: 'BadDigest' } });
    expect((err as { userError: { message: string } }).userError.message).toBe(
      'http://127.0.0.1:9000 received bytes that differ from the file (their checksum did not match), again on every try. Something between this computer and the storage is changing the data, such as a proxy or security software that inspects traffic. Check it, then upload again.',
    );
  });
});
