/** The object key for a new upload: the profile's template, and never a key that is taken. */
import { userError, type Result } from '../result';
import { t } from '../i18n/t';
import type { Destination } from '../destination/destination';
import { findFreeKey, NoFreeKeyError } from './free-key';
import { PathTooLongError, renderKey, shortId, templateCanCollide, TOKEN_TEXT } from './template';

export interface KeyPlan {
  key: string;
  /** Sign `If-None-Match: *` into the PUT: the template can collide and the server honours it. */
  ifNoneMatch?: boolean;
}

export interface KeyPlanDeps {
  now(): Date;
  uuid(): string;
  /** `{shortid}` in key templates; default 8 random base-62 characters. */
  shortId?(): string;
}

export async function planKey(
  destination: Destination,
  file: { name: string; pageUrl?: string; path?: string },
  deps: KeyPlanDeps,
): Promise<Result<KeyPlan>> {
  const input = {
    name: file.name,
    now: deps.now(),
    uuid: deps.uuid(),
    ...(file.pageUrl ? { pageUrl: file.pageUrl } : {}),
    ...(file.path ? { path: file.path } : {}),
  };
  let render: (suffix: string) => string;
  try {
    // One random id for every candidate, so only the suffix differs.
    const shortid = deps.shortId?.() ?? shortId();
    render = (suffix) => renderKey(destination.keyTemplate, { ...input, shortid, suffix });
    render('');
  } catch (err) {
    if (err instanceof PathTooLongError) return { ok: false, error: userError('InvalidSettings', err.message) };
    return { ok: false, error: userError('InvalidSettings', `${(err as Error).message} ${t('service_shortenTemplate')}`, { fix: { kind: 'open-options' } }) };
  }
  // A destination that cannot ask (a team's presign service signs only PUT and GET) takes the template as it renders.
  const keyExists = destination.keyExists;
  if (!keyExists || !templateCanCollide(destination.keyTemplate)) return { ok: true, value: { key: render('') } };
  // Never overwrite silently: the first free name of a, a-1, a-2…, and where the server honours it, a PUT that refuses a taken key.
  let found: string;
  try {
    found = await findFreeKey(render, async (key) => {
      const exists = await keyExists(key);
      if (!exists.ok) throw new KeyCheckFailed(exists);
      return exists.value;
    });
  } catch (err) {
    if (err instanceof KeyCheckFailed) return err.result;
    if (!(err instanceof NoFreeKeyError)) throw err;
    return {
      ok: false,
      error: userError(
        'NoFreeKey',
        t('service_noFreeKey', {
          first: err.first,
          more: err.tries - 1,
          last: err.last,
          bucket: destination.bucket,
          uuid: TOKEN_TEXT.uuid,
          shortid: TOKEN_TEXT.shortid,
        }),
      ),
    };
  }
  return { ok: true, value: { key: found, ...(destination.conditionalWrites ? { ifNoneMatch: true } : {}) } };
}

/** Carries a failed check out of `findFreeKey`'s loop. */
class KeyCheckFailed extends Error {
  constructor(readonly result: Extract<Result<never>, { ok: false }>) {
    super(result.error.message);
  }
}
