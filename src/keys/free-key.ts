import { t } from '../i18n/t';

/**
 * Never overwrite silently: a template that can give two uploads the same key
 * (no `{uuid}`, no `{shortid}`) gets the first free one of `name`, `name-1`,
 * `name-2`… (the suffix goes before the extension). Pure: the "does this key
 * exist?" question is injected (a HEAD request in the background, a fake in
 * tests).
 */

/** How many names are tried before giving up: `a.txt`, then `a-1.txt` to `a-49.txt`. */
export const MAX_NAME_TRIES = 50;

/** Every candidate name was taken. */
export class NoFreeKeyError extends Error {
  constructor(
    readonly first: string,
    readonly last: string,
    readonly tries: number,
  ) {
    super(t('freeKey_allTaken', { first, last }));
    this.name = 'NoFreeKeyError';
  }
}

/**
 * The first key nobody uses yet. `render(suffix)` gives the key for a suffix
 * (`''`, `'-1'`, `'-2'`…); `exists(key)` asks the bucket. Keys are asked one
 * after another, so a busy name costs one request per taken name.
 */
export async function findFreeKey(
  render: (suffix: string) => string,
  exists: (key: string) => Promise<boolean>,
  maxTries = MAX_NAME_TRIES,
): Promise<string> {
  const first = render('');
  let key = first;
  for (let n = 0; n < maxTries; n++) {
    key = n === 0 ? first : render(`-${n}`);
    if (!(await exists(key))) return key;
  }
  throw new NoFreeKeyError(first, key, maxTries);
}
