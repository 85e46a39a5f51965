/**
 * Conditional writes: does the bucket honour `If-None-Match: *` (store only
 * if the name is free)? Asked with two signed PUTs of one probe key, through
 * the URL signer uploads use. What it answers decides whether uploads ask for
 * it (`conditionalWrites` in src/destination/own-keys.ts), instead of a guess
 * by endpoint.
 */
import { t } from '../i18n/t';
import { failureFromResponse } from '../s3/errors';
import { fact, type BucketFact, type ConditionalWrites } from './facts';
import { CHECK_PREFIX, putThroughUrl, refusal, removeKey, type ProbeContext, type ProbeDeps, type Reply } from './probe';

/** How the server answered: the first PUT to a free name, then the second to the same name. */
export function conditionalAnswer(first: Reply, second: Reply | null): ConditionalWrites | null {
  // Swift's s3api refuses every conditional PUT with 501 NotImplemented, and stores nothing.
  if (first.status === 501 || failureFromResponse(first.status, first.text).code === 'NotImplemented') return 'refused';
  if (first.status !== 200 || !second) return null;
  if (second.status === 412) return 'honoured';
  if (second.status === 200) return 'ignored';
  return null;
}

export function conditionalFact(answer: ConditionalWrites | null, reason: string): BucketFact {
  switch (answer) {
    case 'honoured':
      return fact('conditionalWrites', 'ok', t('check_conditionalHonoured'));
    case 'ignored':
      return fact('conditionalWrites', 'info', t('check_conditionalIgnored'));
    case 'refused':
      return fact('conditionalWrites', 'info', t('check_conditionalRefused'));
    case null:
      return fact('conditionalWrites', 'problem', t('check_conditionalUnknown', { reason }));
  }
}

/** The check: its line, and the answer to store for the upload path (absent when unclear). */
export async function checkConditionalWrites(deps: ProbeDeps, ctx: ProbeContext): Promise<{ fact: BucketFact; answer?: ConditionalWrites }> {
  const key = `${CHECK_PREFIX}${deps.uuid()}-conditional.txt`;
  let first: Reply | undefined;
  let second: Reply | null = null;
  try {
    first = await putThroughUrl(deps, ctx.bucket, key, 'first\n', { ifNoneMatch: true });
    second = first.status === 200 ? await putThroughUrl(deps, ctx.bucket, key, 'second\n', { ifNoneMatch: true }) : null;
    const answer = conditionalAnswer(first, second);
    const unclear = second && second.status !== 200 && second.status !== 412 ? second : first;
    const line = conditionalFact(answer, answer ? '' : refusal(unclear, 'upload', ctx));
    return answer ? { fact: line, answer } : { fact: line };
  } catch (err) {
    return { fact: conditionalFact(null, refusal(err, 'upload', ctx)) };
  } finally {
    // Delete whatever may have been stored (a 501 stores nothing, but an unclear answer might have).
    const versions = [first?.versionId, second?.versionId].filter((v): v is string => Boolean(v));
    if (first) await removeKey(deps.client, ctx.bucket, key, ctx, versions);
  }
}
