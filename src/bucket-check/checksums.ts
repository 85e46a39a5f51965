/**
 * Checksums: does the bucket recompute a checksum sent with an upload and
 * refuse bytes that do not match it? Asked with one PUT per header S3 takes
 * (Content-MD5, x-amz-checksum-crc32, x-amz-checksum-sha256), each signed
 * into the presigned URL with a well-formed but wrong value: a server that
 * verifies refuses it, one that does not stores the file (deleted at once).
 * The wrong value is all-zero bytes, so nothing here hashes anything.
 */
import { t } from '../i18n/t';
import { failureFromResponse } from '../s3/errors';
import { CHECKSUM_HEADERS, type ChecksumAlgorithm } from '../s3/presign';
import { fact, type BucketFact, type ChecksumAnswer, type ChecksumAnswers } from './facts';
import { CHECK_PREFIX, probeBody, putThroughUrl, refusal, removeKey, type ProbeContext, type ProbeDeps, type Reply } from './probe';

/** Each stored answer, the checksum it asks with, and its name in the line (in the order the line lists them). */
const PROBES: readonly { field: keyof ChecksumAnswers; algorithm: ChecksumAlgorithm; name: string }[] = [
  { field: 'contentMd5', algorithm: 'md5', name: 'Content-MD5' },
  { field: 'crc32', algorithm: 'crc32', name: 'CRC32' },
  { field: 'sha256', algorithm: 'sha256', name: 'SHA-256' },
];

/** S3's codes for "the bytes do not match the checksum you sent" (AWS, MinIO, Ceph, Swift answer one of these). */
const MISMATCH = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch']);

/** How the server answered a PUT whose checksum header is wrong for its body. */
export function checksumAnswer(reply: Reply): ChecksumAnswer {
  if (reply.status === 200) return 'ignored';
  const failure = failureFromResponse(reply.status, reply.text);
  if (reply.status === 400 && MISMATCH.has(failure.code)) return 'verified';
  if (reply.status === 501 || failure.code === 'NotImplemented') return 'refused';
  // InvalidArgument is also S3's answer to many other mistakes: only one about the checksum says the header is not taken.
  if (failure.code === 'InvalidArgument' && /checksum|digest|md5|crc|sha/i.test(failure.message ?? '')) return 'refused';
  return 'unclear';
}

/** "A", "A and B", "A, B and C". */
function names(list: string[]): string {
  if (list.length < 2) return list.join('');
  return t('check_checksumsAnd', { first: list.slice(0, -1).join(', '), last: list[list.length - 1]! });
}

/**
 * The line: ✓ when at least one checksum is verified (a damaged upload that
 * sends it is refused), information when none is, a problem only when an
 * answer was unclear and none was verified; `reason` says what came back then.
 */
export function checksumsFact(answers: ChecksumAnswers, reason: string): BucketFact {
  const verified = PROBES.filter((p) => answers[p.field] === 'verified').map((p) => p.name);
  if (verified.length > 0) return fact('checksums', 'ok', t('check_checksumsVerified', { names: names(verified) }));
  if (PROBES.some((p) => answers[p.field] === 'unclear')) return fact('checksums', 'problem', t('check_checksumsUnknown', { reason }));
  return fact('checksums', 'info', t('check_checksumsNotVerified'));
}

/** The check: its line, and the answers to store for uploads (absent when none was clear). */
export async function checkChecksums(deps: ProbeDeps, ctx: ProbeContext): Promise<{ fact: BucketFact; answers?: ChecksumAnswers }> {
  const id = deps.uuid();
  const body = probeBody(deps.now());
  const answers: ChecksumAnswers = { contentMd5: 'unclear', crc32: 'unclear', sha256: 'unclear' };
  let reason = '';
  for (const { field, algorithm } of PROBES) {
    const key = `${CHECK_PREFIX}${id}-checksum-${algorithm}.txt`;
    let reply: Reply | undefined;
    try {
      // All-zero bytes of the digest's size: well-formed, and (but for odds of one in 2³²) not the body's checksum.
      const base64 = btoa('\0'.repeat(CHECKSUM_HEADERS[algorithm].bytes));
      reply = await putThroughUrl(deps, ctx.bucket, key, body, { checksum: { algorithm, base64 } });
      answers[field] = checksumAnswer(reply);
      if (answers[field] === 'unclear' && !reason) reason = refusal(reply, 'upload', ctx);
    } catch (err) {
      if (!reason) reason = refusal(err, 'upload', ctx);
    } finally {
      // A server that ignored the checksum stored bytes that do not match it, and an unclear answer may have stored
      // something too: delete the key whatever came back (by version on a bucket with versioning).
      await removeKey(deps.client, ctx.bucket, key, ctx, reply?.versionId ? [reply.versionId] : []);
    }
  }
  const line = checksumsFact(answers, reason);
  return Object.values(answers).some((a) => a !== 'unclear') ? { fact: line, answers } : { fact: line };
}
