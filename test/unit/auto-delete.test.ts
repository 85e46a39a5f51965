import { describe, expect, it } from 'vitest';
import { addAutoDeleteRule, autoDeleteFact, probeTags, tagAnswer, type TagProbe } from '../../src/bucket-check/auto-delete-check';
import { ABORT_RULE, ABORT_RULE_ID } from '../../src/bucket-check/lifecycle';
import { wantedRules } from '../../src/bucket-check/run';
import {
  AUTO_DELETE_TAG,
  autoDeleteDate,
  autoDeleteRule,
  autoDeleteTagging,
  expiresTagged,
  validateAutoDeleteDays,
} from '../../src/s3/auto-delete';
import { describeFailure } from '../../src/s3/errors';
import { presignUpload } from '../../src/s3/presign';
import { EMPTY_PROFILE } from '../../src/settings/profile';
import { cannedS3, s3Error, type CannedAnswer, type SeenRequest } from '../support/canned-s3';

const BUCKET = 'examplebucket';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DAY = 86_400_000;

describe('the tag and the date', () => {
  it('tags an upload with its delay, as S3 takes x-amz-tagging (URL-query encoded)', () => {
    expect(autoDeleteTagging(30)).toBe(`${AUTO_DELETE_TAG}=30`);
    expect(new URLSearchParams(autoDeleteTagging(7)).get(AUTO_DELETE_TAG)).toBe('7');
  });

  it('is deleted when S3 says: the days added, rounded up to the next midnight UTC (the lifecycle documentation’s example)', () => {
    // "an object created on 1/15/2014 at 10:30 AM UTC" with 3 days expires "1/19/2014 00:00 UTC".
    expect(new Date(autoDeleteDate(Date.UTC(2014, 0, 15, 10, 30), 3)).toISOString()).toBe('2014-01-19T00:00:00.000Z');
    // Stored exactly at midnight: still the next midnight after the days, never the same instant.
    expect(autoDeleteDate(Date.UTC(2026, 11, 7), 1)).toBe(Date.UTC(2026, 11, 7) + 2 * DAY);
    expect(new Date(autoDeleteDate(Date.UTC(2026, 11, 31, 23, 59, 59), 30)).toISOString()).toBe('2027-01-31T00:00:00.000Z');
  });

  it('takes whole days from 1 to 3650, and absent for “keep files”', () => {
    expect(validateAutoDeleteDays(undefined)).toBeNull();
    for (const ok of [1, 30, 3650]) expect(validateAutoDeleteDays(ok)).toBeNull();
    for (const bad of [0, -1, 1.5, 3651, Number.NaN]) expect(validateAutoDeleteDays(bad)).toMatch(/whole number of days from 1 to 3650/);
  });
});

describe('which rules delete the tagged uploads', () => {
  it('S3 Drop’s own rule, and a rule for the whole bucket that expires sooner', () => {
    expect(expiresTagged(autoDeleteRule(30), 30)).toBe(true);
    expect(expiresTagged({ ID: 'all', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 10 } }, 30)).toBe(true);
    expect(expiresTagged({ ID: 'all', Status: 'Enabled', Filter: {}, Expiration: { Days: 30 } }, 30)).toBe(true);
    expect(
      expiresTagged({ ID: 'and', Status: 'Enabled', Filter: { And: { Tags: [{ Key: AUTO_DELETE_TAG, Value: '30' }] } }, Expiration: { Days: 30 } }, 30),
    ).toBe(true);
  });

  it('not a rule that is disabled, later, for another tag value, or for a part of the bucket only', () => {
    const rule = autoDeleteRule(30);
    expect(expiresTagged({ ...rule, Status: 'Disabled' }, 30)).toBe(false);
    expect(expiresTagged(autoDeleteRule(60), 30)).toBe(false);
    expect(expiresTagged(rule, 7)).toBe(false);
    expect(expiresTagged({ ID: 'docs', Status: 'Enabled', Filter: { Prefix: 'documents/' }, Expiration: { Days: 1 } }, 30)).toBe(false);
    expect(
      expiresTagged(
        { ID: 'and', Status: 'Enabled', Filter: { And: { Prefix: 'a/', Tags: [{ Key: AUTO_DELETE_TAG, Value: '30' }] } }, Expiration: { Days: 30 } },
        30,
      ),
    ).toBe(false);
    // A rule that only moves files to another storage class deletes nothing.
    expect(expiresTagged({ ID: 'cold', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] }, 30)).toBe(false);
  });

  it('a profile with Auto-delete needs both rules; one without needs the abort rule only', () => {
    expect(wantedRules({ ...EMPTY_PROFILE }).map((r) => r.ID)).toEqual([ABORT_RULE_ID]);
    expect(wantedRules({ ...EMPTY_PROFILE, autoDeleteDays: 14 }).map((r) => r.ID)).toEqual([ABORT_RULE_ID, 's3-drop-delete-after-14-days']);
  });
});

describe('the upload URL signs the tag', () => {
  it('as a header the PUT must carry, not a query parameter S3 would not apply', async () => {
    const { client } = cannedS3(() => ({ status: 200 }));
    const signed = await presignUpload(client, {
      bucket: BUCKET,
      key: 'a.png',
      contentType: 'image/png',
      contentLength: 5_000_000,
      tagging: autoDeleteTagging(30),
      now: new Date('2026-12-07T10:00:00Z'),
    });
    const url = new URL(signed.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toContain('x-amz-tagging');
    expect(url.searchParams.has('x-amz-tagging')).toBe(false);
    expect(signed.headers['x-amz-tagging']).toBe(`${AUTO_DELETE_TAG}=30`);
  });
});

describe('refusals of a tagged upload', () => {
  const ctx = { operation: 'upload' as const, bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:8080', tagged: true };

  it('a server without tags (501 NotImplemented) names the setting to turn off', () => {
    const error = describeFailure({ code: 'NotImplemented', status: 501, message: 'The requested resource is not implemented' }, ctx);
    expect(error.message).toBe(
      'http://127.0.0.1:8080 does not support object tags, which Auto-delete puts on every upload. Turn Auto-delete off for this profile in Options, then try again.',
    );
    expect(error.fix).toEqual({ kind: 'open-options' });
    // Without tags, a 501 is the server's own refusal, said as it came.
    expect(describeFailure({ code: 'NotImplemented', status: 501 }, { ...ctx, tagged: false }).message).not.toMatch(/Auto-delete/);
  });

  it('AccessDenied names the second permission a tagged PUT needs', () => {
    const error = describeFailure({ code: 'AccessDenied', status: 403, message: 'Access Denied' }, { ...ctx, endpoint: '' });
    expect(error.message).toContain('s3:PutObject and s3:PutObjectTagging');
    expect(describeFailure({ code: 'AccessDenied', status: 403 }, { ...ctx, endpoint: '', tagged: false }).message).not.toContain('Tagging');
  });
});

/** GetObjectTagging's answer as AWS documents it. */
const tagSet = (tags: [string, string][]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${NS}"><TagSet>${tags
    .map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`)
    .join('')}</TagSet></Tagging>`;

function probeDeps(putAnswer: CannedAnswer, tags: (r: SeenRequest) => CannedAnswer) {
  const s3 = cannedS3((r) => (r.method === 'DELETE' ? { status: 204 } : tags(r)));
  const puts: { url: string; headers: Record<string, string> }[] = [];
  const deps = {
    client: s3.client,
    now: () => new Date('2026-12-07T10:00:00Z'),
    uuid: () => '4f7c1e0a-0000-4000-8000-000000000001',
    fetch: (async (url: string, init: RequestInit) => {
      puts.push({ url, headers: init.headers as Record<string, string> });
      return new Response(putAnswer.body ?? '', { status: putAnswer.status, headers: putAnswer.headers ?? {} });
    }) as never,
  };
  return { deps, puts, requests: s3.requests };
}
const ctx = { bucket: BUCKET, region: 'us-east-1', endpoint: '' };

describe('the tag probe', () => {
  it('kept: the tag reads back, and the test file is deleted', async () => {
    const { deps, puts, requests } = probeDeps({ status: 200 }, () => ({ status: 200, body: tagSet([[AUTO_DELETE_TAG, '30']]) }));
    expect(await probeTags(deps, ctx, 30)).toEqual({ kind: 'answer', answer: 'kept' });
    expect(puts[0]!.headers['x-amz-tagging']).toBe(`${AUTO_DELETE_TAG}=30`);
    expect(requests.map((r) => [r.method, 'tagging' in r.query])).toEqual([
      ['GET', true],
      ['DELETE', false],
    ]);
    expect(requests[1]!.path).toMatch(/\/\.s3-drop-check\/4f7c1e0a-[^/]+-auto-delete\.txt$/);
  });

  it('ignored: stored, but the tag set reads back empty (s3rver)', async () => {
    const { deps } = probeDeps({ status: 200 }, () => ({ status: 200, body: tagSet([]) }));
    expect(await probeTags(deps, ctx, 30)).toEqual({ kind: 'answer', answer: 'ignored' });
  });

  it('refused: 501 NotImplemented, nothing stored, nothing to delete (Swift)', async () => {
    const body = s3Error('NotImplemented', 'The requested resource is not implemented.');
    const { deps, requests } = probeDeps({ status: 501, body }, () => ({ status: 500 }));
    expect(await probeTags(deps, ctx, 30)).toEqual({ kind: 'answer', answer: 'refused' });
    expect(requests).toEqual([]);
  });

  it('keys that may not read tags: the line says which permission, and the file is still deleted', async () => {
    const { deps, requests } = probeDeps({ status: 200 }, () => ({ status: 403, body: s3Error('AccessDenied', 'Access Denied') }));
    const probe = await probeTags(deps, ctx, 30);
    expect(probe.kind === 'failed' && probe.sentence).toMatch(/s3:GetObjectTagging/);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'DELETE']);
  });

  it('a PUT refused for another reason says why, in the upload’s words', async () => {
    const { deps } = probeDeps({ status: 403, body: s3Error('AccessDenied', 'Access Denied') }, () => ({ status: 500 }));
    const probe = await probeTags(deps, ctx, 30);
    expect(probe.kind === 'failed' && probe.sentence).toMatch(/^A test file with the Auto-delete tag could not be uploaded: .*s3:PutObjectTagging/);
  });

  it('tagAnswer reads only a 200 with its tag as kept', () => {
    expect(tagAnswer({ status: 200, text: '' }, [{ Key: AUTO_DELETE_TAG, Value: '30' }], 30)).toBe('kept');
    expect(tagAnswer({ status: 200, text: '' }, [{ Key: AUTO_DELETE_TAG, Value: '7' }], 30)).toBe('ignored');
    expect(tagAnswer({ status: 400, text: s3Error('InvalidTag', 'bad') }, null, 30)).toBeNull();
  });
});

/** A rule as AWS's lifecycle documentation writes one filtered by a tag. */
const TAGGED_RULE = (days: number, value = String(days)) => `<Rule>
    <ID>delete-old-shares</ID>
    <Filter><Tag><Key>${AUTO_DELETE_TAG}</Key><Value>${value}</Value></Tag></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>${days}</Days></Expiration>
  </Rule>`;
const config = (...rules: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="${NS}">${rules.join('')}</LifecycleConfiguration>`;
const DOCUMENTS_RULE = `<Rule><ID>id1</ID><Filter><Prefix>documents/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>`;

const kept: TagProbe = { kind: 'answer', answer: 'kept' };
const wanted = [ABORT_RULE, autoDeleteRule(30)];

describe('the Auto-delete line', () => {
  it('✓ when the tag is kept and a rule expires it in time', () => {
    const line = autoDeleteFact(30, kept, { kind: 'rules', rules: [autoDeleteRule(30)] }, wanted);
    expect(line).toMatchObject({ id: 'autoDelete', status: 'ok' });
    expect(line.sentence).toMatch(/deletes them 30 days after/);
  });

  it('✗ with a Fix when no rule does it; ✗ with what to do when tags are refused or dropped', () => {
    expect(autoDeleteFact(30, kept, { kind: 'none' }, wanted)).toMatchObject({ status: 'problem', fix: { kind: 'add-expiry-rule' } });
    expect(autoDeleteFact(30, kept, { kind: 'rules', rules: [autoDeleteRule(60)] }, wanted)).toMatchObject({ fix: { kind: 'add-expiry-rule' } });
    const refused = autoDeleteFact(30, { kind: 'answer', answer: 'refused' }, { kind: 'none' }, wanted);
    expect(refused).toMatchObject({ status: 'problem' });
    expect(refused.fix).toBeUndefined();
    expect(refused.sentence).toMatch(/refuses uploads that carry tags.*Turn Auto-delete off/);
    expect(autoDeleteFact(30, { kind: 'answer', answer: 'ignored' }, { kind: 'none' }, wanted).sentence).toMatch(/drops their tags/);
    expect(autoDeleteFact(30, kept, { kind: 'unsupported' }, wanted).sentence).toMatch(/no lifecycle rules, so nothing deletes them/);
  });

  it('keys that may not read the rules get both of S3 Drop’s rules to paste', () => {
    const line = autoDeleteFact(30, kept, { kind: 'denied' }, wanted);
    if (line.fix?.kind !== 'paste-lifecycle') throw new Error(`expected JSON to paste, got ${JSON.stringify(line.fix)}`);
    const pasted = JSON.parse(line.fix.json) as { Rules: { ID: string; Filter: unknown; Expiration?: unknown }[] };
    expect(pasted.Rules.map((r) => r.ID)).toEqual([ABORT_RULE_ID, 's3-drop-delete-after-30-days']);
    expect(pasted.Rules[1]).toMatchObject({ Filter: { Tag: { Key: AUTO_DELETE_TAG, Value: '30' } }, Expiration: { Days: 30 } });
  });
});

/** A bucket that keeps its lifecycle rules as XML: GET answers the last PUT, or NoSuchLifecycleConfiguration. */
function bucketWithRules(initial: string | null, put: (request: SeenRequest) => CannedAnswer = () => ({ status: 200 })) {
  let stored = initial;
  return cannedS3((r) => {
    if (!('lifecycle' in r.query)) return { status: 500, body: s3Error('InternalError', 'unexpected') };
    if (r.method === 'GET')
      return stored ? { status: 200, body: stored } : { status: 404, body: s3Error('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist') };
    const answer = put(r);
    if (answer.status === 200) stored = r.body;
    return answer;
  });
}

describe('the Fix: the rule that expires tagged uploads, against AWS’s own XML', () => {
  it('reads a hand-made rule with a tag filter (as AWS documents it) as ✓, and writes nothing', async () => {
    const { client, requests } = bucketWithRules(config(DOCUMENTS_RULE, TAGGED_RULE(30)));
    expect(await addAutoDeleteRule(client, BUCKET, 30, kept, wanted)).toMatchObject({ status: 'ok' });
    expect(requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('keeps the bucket’s rules, adds the tag rule as S3 expects it, and the line then shows ✓', async () => {
    const { client, requests } = bucketWithRules(config(DOCUMENTS_RULE, TAGGED_RULE(7)));
    const line = await addAutoDeleteRule(client, BUCKET, 30, kept, wanted);
    const put = requests.find((r) => r.method === 'PUT')!;
    const rules = [...put.body.matchAll(/<Rule>(.*?)<\/Rule>/gs)].map((m) => m[1]!);
    expect(rules).toHaveLength(3);
    expect(rules[0]).toContain('<ID>id1</ID>');
    // The user's rule for another delay stays: files tagged under it keep their promised date.
    expect(rules[1]).toContain('<ID>delete-old-shares</ID>');
    expect(rules[2]).toContain('<ID>s3-drop-delete-after-30-days</ID>');
    expect(rules[2]).toContain(`<Filter><Tag><Key>${AUTO_DELETE_TAG}</Key><Value>30</Value></Tag></Filter>`);
    expect(rules[2]).toContain('<Expiration><Days>30</Days></Expiration>');
    expect(rules[2]).toContain('<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>');
    expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET']);
    expect(line).toMatchObject({ id: 'autoDelete', status: 'ok' });
  });

  it('keys that may not write the rules get the configuration to paste, with the rules they read', async () => {
    const { client } = bucketWithRules(config(DOCUMENTS_RULE), () => ({ status: 403, body: s3Error('AccessDenied', 'Access Denied') }));
    const line = await addAutoDeleteRule(client, BUCKET, 30, kept, wanted);
    if (line.fix?.kind !== 'paste-lifecycle') throw new Error(`expected JSON to paste, got ${JSON.stringify(line.fix)}`);
    expect((JSON.parse(line.fix.json) as { Rules: { ID: string }[] }).Rules.map((r) => r.ID)).toEqual([
      'id1',
      ABORT_RULE_ID,
      's3-drop-delete-after-30-days',
    ]);
  });
});

describe('the profile field and what pages say', () => {
  it('a draft with an unusable delay is refused on its field; a presign service never has one', async () => {
    const { validateDraft } = await import('../../src/settings/profile-kinds');
    const draft = { ...EMPTY_PROFILE, name: 'p', accessKeyId: 'AKIA', secretAccessKey: 's', bucket: 'my-bucket', region: 'eu-west-1' };
    expect(validateDraft({ ...draft, autoDeleteDays: 30 }, { hasSavedSecret: false })).toEqual({});
    expect(validateDraft({ ...draft, autoDeleteDays: 0 }, { hasSavedSecret: false }).autoDeleteDays).toMatch(/from 1 to 3650/);
  });

  it('an exported profile with Auto-delete imports with it; a delay written as text is refused', async () => {
    const { parseImport } = await import('../../src/settings/transfer');
    const raw = { kind: 'keys', name: 'shares', accessKeyId: 'AKIA', bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false, keyTemplate: '{name}', linkExpirySeconds: 3600 };
    const file = (p: object) => JSON.stringify({ format: 's3-drop-profiles', version: 1, profiles: [p] });
    const good = parseImport(file({ ...raw, autoDeleteDays: 14 }), []);
    expect(good.profiles[0]).toMatchObject({ autoDeleteDays: 14 });
    const bad = parseImport(file({ ...raw, autoDeleteDays: '14' }), []);
    expect(bad.profiles).toEqual([]);
  });

  it('the history says when the bucket deletes a file, and nothing once it was deleted or when it stays', async () => {
    const { autoDeleteNote } = await import('../../src/ui/history-format');
    const at = Date.UTC(2026, 11, 7, 10);
    const deletesAt = autoDeleteDate(at, 7);
    expect(autoDeleteNote({ deletesAt }, at)).toMatch(/^Auto-delete: the bucket deletes it on /);
    expect(autoDeleteNote({ deletesAt }, deletesAt + 1)).toMatch(/^Auto-delete: the bucket was to delete it on /);
    expect(autoDeleteNote({ deletesAt, deletedAt: at + 1 }, at)).toBe('');
    expect(autoDeleteNote({}, at)).toBe('');
  });
});
