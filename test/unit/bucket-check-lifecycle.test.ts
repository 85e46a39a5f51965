import { describe, expect, it } from 'vitest';
import {
  ABORT_RULE_ID,
  addAbortRule,
  checkLifecycle,
  rulesWith,
  ABORT_RULE,
} from '../../src/bucket-check/lifecycle';
import { cannedS3, s3Error, type CannedAnswer, type SeenRequest } from '../support/canned-s3';

const BUCKET = 'examplebucket';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** GetBucketLifecycleConfiguration as AWS documents it: two rules, neither removes unfinished uploads in parts. */
const TWO_RULES = `<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration xmlns="${NS}">
  <Rule>
    <ID>id1</ID>
    <Filter><Prefix>documents/</Prefix></Filter>
    <Status>Enabled</Status>
    <Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>
  </Rule>
  <Rule>
    <ID>id2</ID>
    <Filter><Prefix>logs/</Prefix></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>365</Days></Expiration>
  </Rule>
</LifecycleConfiguration>`;

const abortRule = (filter: string, status = 'Enabled', days = 3) => `<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration xmlns="${NS}">
  <Rule>
    <ID>cleanup</ID>
    ${filter}
    <Status>${status}</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>${days}</DaysAfterInitiation></AbortIncompleteMultipartUpload>
  </Rule>
</LifecycleConfiguration>`;

/** Swift's s3api does not know `?lifecycle`: it answers the GET with the bucket's listing. */
const SWIFT_LISTING = `<?xml version='1.0' encoding='UTF-8'?>
<ListBucketResult xmlns="${NS}"><Name>${BUCKET}</Name><Prefix/><Marker/><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

const isLifecycle = (r: SeenRequest) => 'lifecycle' in r.query;
const answerGet = (answer: CannedAnswer) => cannedS3((r) => (isLifecycle(r) && r.method === 'GET' ? answer : { status: 500, body: s3Error('InternalError', 'unexpected') }));

describe('lifecycle: is there a rule that removes unfinished uploads in parts?', () => {
  it('an enabled whole-bucket AbortIncompleteMultipartUpload rule is ✓, with its delay', async () => {
    const { client } = answerGet({ status: 200, body: abortRule('<Filter><Prefix></Prefix></Filter>') });
    const line = await checkLifecycle(client, BUCKET);
    expect(line).toMatchObject({ id: 'lifecycle', status: 'ok' });
    expect(line.sentence).toMatch(/after 3 days/);
    expect(line.fix).toBeUndefined();
  });

  it('the old form (a Prefix on the rule, no Filter) counts too', async () => {
    const { client } = answerGet({ status: 200, body: abortRule('<Prefix></Prefix>') });
    expect((await checkLifecycle(client, BUCKET)).status).toBe('ok');
  });

  it('rules without one (AWS documentation example) are a problem with a Fix', async () => {
    const { client } = answerGet({ status: 200, body: TWO_RULES });
    const line = await checkLifecycle(client, BUCKET);
    expect(line).toMatchObject({ status: 'problem', fix: { kind: 'add-abort-rule' } });
    expect(line.sentence).toMatch(/parts stay in the bucket/);
  });

  it('a disabled rule does not count', async () => {
    const { client } = answerGet({ status: 200, body: abortRule('<Filter><Prefix></Prefix></Filter>', 'Disabled') });
    expect(await checkLifecycle(client, BUCKET)).toMatchObject({ status: 'problem', fix: { kind: 'add-abort-rule' } });
  });

  it('a rule for one prefix only says which, and offers the Fix', async () => {
    const { client } = answerGet({ status: 200, body: abortRule('<Filter><Prefix>uploads/</Prefix></Filter>') });
    const line = await checkLifecycle(client, BUCKET);
    expect(line).toMatchObject({ status: 'problem', fix: { kind: 'add-abort-rule' } });
    expect(line.sentence).toContain('"uploads/"');
  });

  it('NoSuchLifecycleConfiguration (404) means no rule at all', async () => {
    const { client } = answerGet({ status: 404, body: s3Error('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist') });
    expect(await checkLifecycle(client, BUCKET)).toMatchObject({ status: 'problem', fix: { kind: 'add-abort-rule' } });
  });

  it('keys that may not read the rules get the rule to paste, alone', async () => {
    const { client } = answerGet({ status: 403, body: s3Error('AccessDenied', 'Access Denied') });
    const line = await checkLifecycle(client, BUCKET);
    expect(line.status).toBe('problem');
    if (line.fix?.kind !== 'paste-lifecycle') throw new Error(`expected JSON to paste, got ${JSON.stringify(line.fix)}`);
    expect(JSON.parse(line.fix.json)).toEqual({
      Rules: [{ ID: ABORT_RULE_ID, Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
    });
  });

  it('a server without lifecycle (501 NotImplemented, as s3rver) is information, with no Fix', async () => {
    const { client } = answerGet({ status: 501, body: s3Error('NotImplemented', 'A parameter you provided implies functionality that is not implemented') });
    expect(await checkLifecycle(client, BUCKET)).toMatchObject({ status: 'info', sentence: expect.stringMatching(/no lifecycle rules/) });
  });

  it("a 200 that is not a lifecycle configuration (Swift lists the bucket) is read as no lifecycle support, not as “no rule”", async () => {
    const { client } = answerGet({ status: 200, body: SWIFT_LISTING });
    const line = await checkLifecycle(client, BUCKET);
    expect(line.status).toBe('info');
    expect(line.fix).toBeUndefined();
  });
});

/** A bucket that keeps its lifecycle rules as XML: GET answers the last PUT, or NoSuchLifecycleConfiguration. */
function bucketWithRules(initial: string | null, put: (request: SeenRequest) => CannedAnswer = () => ({ status: 200 })) {
  let stored = initial;
  const s3 = cannedS3((r) => {
    if (!isLifecycle(r)) return { status: 500, body: s3Error('InternalError', 'unexpected') };
    if (r.method === 'GET')
      return stored ? { status: 200, body: stored } : { status: 404, body: s3Error('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist') };
    const answer = put(r);
    // S3 stores what it was sent: the request's <LifecycleConfiguration> is what the next GET returns.
    if (answer.status === 200) stored = r.body;
    return answer;
  });
  return s3;
}

describe('the Fix: PutBucketLifecycleConfiguration', () => {
  it('keeps the existing rules, adds the abort rule, and the line then shows ✓', async () => {
    const { client, requests } = bucketWithRules(TWO_RULES);
    const line = await addAbortRule(client, BUCKET);
    const put = requests.find((r) => r.method === 'PUT')!;
    expect(put, 'one PUT ?lifecycle').toBeDefined();
    // The body S3 receives: the two rules as they were, then S3 Drop's.
    const rules = [...put.body.matchAll(/<Rule>(.*?)<\/Rule>/gs)].map((m) => m[1]!);
    expect(rules).toHaveLength(3);
    expect(rules[0]).toContain('<ID>id1</ID>');
    expect(rules[0]).toContain('<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>');
    expect(rules[1]).toContain('<ID>id2</ID>');
    expect(rules[1]).toContain('<Expiration><Days>365</Days></Expiration>');
    expect(rules[2]).toContain(`<ID>${ABORT_RULE_ID}</ID>`);
    expect(rules[2]).toContain('<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>');
    expect(rules[2]).toContain('<Filter><Prefix></Prefix></Filter>');
    expect(put.body).toMatch(/^<\?xml|^<LifecycleConfiguration/);
    // Read back from the bucket, not assumed.
    expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET']);
    expect(line).toMatchObject({ id: 'lifecycle', status: 'ok' });
    expect(line.sentence).toMatch(/after 7 days/);
  });

  it('on a bucket with no configuration, PUTs the one rule', async () => {
    const { client, requests } = bucketWithRules(null);
    expect(await addAbortRule(client, BUCKET)).toMatchObject({ status: 'ok' });
    const put = requests.find((r) => r.method === 'PUT')!;
    expect([...put.body.matchAll(/<Rule>/g)]).toHaveLength(1);
  });

  it('does nothing when the rule is there already', async () => {
    const { client, requests } = bucketWithRules(abortRule('<Filter><Prefix></Prefix></Filter>'));
    expect(await addAbortRule(client, BUCKET)).toMatchObject({ status: 'ok' });
    expect(requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('keys that may not write the rules get the whole configuration to paste, existing rules included', async () => {
    const { client } = bucketWithRules(TWO_RULES, () => ({ status: 403, body: s3Error('AccessDenied', 'Access Denied') }));
    const line = await addAbortRule(client, BUCKET);
    expect(line.status).toBe('problem');
    if (line.fix?.kind !== 'paste-lifecycle') throw new Error(`expected JSON to paste, got ${JSON.stringify(line.fix)}`);
    const pasted = JSON.parse(line.fix.json) as { Rules: { ID: string }[] };
    expect(pasted.Rules.map((r) => r.ID)).toEqual(['id1', 'id2', ABORT_RULE_ID]);
    expect(pasted.Rules[0]).toMatchObject({ Filter: { Prefix: 'documents/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] });
  });

  it('replaces an earlier S3 Drop rule (disabled by hand) instead of adding a second with the same id', () => {
    const rules = rulesWith([
      { ID: 'keep', Status: 'Enabled', Filter: { Prefix: 'a/' }, Expiration: { Days: 1 } },
      { ID: ABORT_RULE_ID, Status: 'Disabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    ], [ABORT_RULE]);
    expect(rules.map((r) => [r.ID, r.Status])).toEqual([
      ['keep', 'Enabled'],
      [ABORT_RULE_ID, 'Enabled'],
    ]);
  });
});
