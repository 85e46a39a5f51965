import { validateTokenExpiration } from '../../settings/profile';
import { t } from '../../i18n/t';
import { tokenExpiryNote } from '../token-expiry';
import type { GroupProps } from './field-kit';

/** "My own keys": where the bucket is, and the keys that sign for it. */
export function ConnectionFields({ state, dispatch, kit: { field, a11y } }: GroupProps) {
  const { keys, secrets, stored, uploads } = state;
  const note = keys.sessionTokenExpiration && !validateTokenExpiration(keys.sessionTokenExpiration) ? tokenExpiryNote({ ...keys, ...uploads }, Date.now()) : null;
  const tokenHint = note ? note.text : t('editor_tokenExpirationHint');

  return (
    <>
      <fieldset>
        <legend>{t('editor_bucketLegend')}</legend>
        {field(
          'bucket',
          t('field_bucket'),
          <input type="text" {...a11y('bucket')} value={keys.bucket} onInput={(e) => dispatch({ type: 'set', field: 'bucket', value: e.currentTarget.value })} autoComplete="off" spellcheck={false} />,
        )}
        {field(
          'region',
          t('field_region'),
          <input
            type="text"
            {...a11y('region', true)}
            value={keys.region}
            placeholder={t('editor_regionPlaceholder')}
            onInput={(e) => dispatch({ type: 'set', field: 'region', value: e.currentTarget.value })}
            spellcheck={false}
          />,
          t('editor_regionHint'),
        )}
        {field(
          'endpoint',
          t('editor_endpointOptional'),
          <input
            type="url"
            {...a11y('endpoint', true)}
            value={keys.endpoint}
            placeholder="https://s3.example.com"
            onInput={(e) => dispatch({ type: 'set', field: 'endpoint', value: e.currentTarget.value })}
            spellcheck={false}
          />,
          t('editor_endpointHint'),
        )}
        <div class="field check">
          <input id="forcePathStyle" type="checkbox" checked={keys.forcePathStyle} onChange={(e) => dispatch({ type: 'set', field: 'forcePathStyle', value: e.currentTarget.checked })} />
          <label for="forcePathStyle">{t('editor_pathStyle')}</label>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('editor_keysLegend')}</legend>
        {field(
          'accessKeyId',
          t('field_accessKeyId'),
          <input type="text" {...a11y('accessKeyId')} value={keys.accessKeyId} onInput={(e) => dispatch({ type: 'set', field: 'accessKeyId', value: e.currentTarget.value })} autoComplete="off" spellcheck={false} />,
        )}
        {field(
          'secretAccessKey',
          t('field_secretAccessKey'),
          <input
            type="password"
            {...a11y('secretAccessKey', true)}
            value={secrets.secretAccessKey}
            placeholder={stored.secretAccessKey ? t('editor_savedPlaceholder') : ''}
            onInput={(e) => dispatch({ type: 'set', field: 'secretAccessKey', value: e.currentTarget.value })}
            autoComplete="off"
          />,
          stored.secretAccessKey ? t('editor_secretSaved') : t('editor_secretHint'),
        )}
        {field(
          'sessionToken',
          t('editor_sessionTokenOptional'),
          <input
            type="password"
            {...a11y('sessionToken', true)}
            value={secrets.sessionToken}
            placeholder={stored.sessionToken ? t('editor_savedPlaceholder') : ''}
            onInput={(e) => dispatch({ type: 'set', field: 'sessionToken', value: e.currentTarget.value })}
            autoComplete="off"
          />,
          t('editor_sessionTokenHint'),
        )}
        {(secrets.sessionToken || stored.sessionToken || keys.sessionTokenExpiration) &&
          field(
            'sessionTokenExpiration',
            t('editor_sessionTokenExpirationOptional'),
            <input
              type="text"
              {...a11y('sessionTokenExpiration', true)}
              value={keys.sessionTokenExpiration ?? ''}
              placeholder="2026-11-25T22:15:00Z"
              onInput={(e) => dispatch({ type: 'set', field: 'sessionTokenExpiration', value: e.currentTarget.value })}
              spellcheck={false}
            />,
            tokenHint,
          )}
      </fieldset>
    </>
  );
}
