/**
 * Uploads in parts: start one and cancel it, through the calls large uploads
 * use (`s3MultipartSigner`). Nothing is stored: no part is sent.
 */
import { t } from '../i18n/t';
import { describeFailure, failureFromError } from '../s3/errors';
import { s3MultipartSigner } from '../s3/multipart';
import { fact, type BucketFact } from './facts';
import { CHECK_PREFIX, type ProbeContext, type ProbeDeps } from './probe';

export async function checkMultipart(deps: ProbeDeps, ctx: ProbeContext): Promise<BucketFact> {
  const signer = s3MultipartSigner(deps.client, { bucket: ctx.bucket, key: `${CHECK_PREFIX}${deps.uuid()}-parts.bin`, contentType: 'application/octet-stream' });
  let uploadId: string;
  try {
    ({ uploadId } = await signer.create());
  } catch (err) {
    return fact('multipart', 'problem', t('check_multipartCreateFailed', { reason: describeFailure(failureFromError(err), { operation: 'upload', ...ctx }).message }));
  }
  try {
    await signer.abort(uploadId);
  } catch (err) {
    const failure = failureFromError(err);
    return fact('multipart', 'problem', t('check_multipartAbortFailed', { reason: describeFailure(failure, { operation: 'upload', ...ctx }).message }));
  }
  return fact('multipart', 'ok', t('check_multipartOk'));
}
