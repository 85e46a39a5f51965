import type { Profile, ServiceAuth } from '../../settings/profile';
import { hostOf, PRESIGN_PATH, savedTokenApplies } from '../../team/service-url';
import { t } from '../../i18n/t';
import { tRich } from '../rich';
import type { GroupProps } from './field-kit';

const AUTH_CHOICES: { value: ServiceAuth; label: string }[] = [
  { value: 'bearer', label: t('editor_authBearer') },
  { value: 'header', label: t('editor_authHeader') },
  { value: 'none', label: t('editor_authNone') },
];

/** "My team's presign service": its address, how its token is sent, and what it told us about its S3 host. */
export function ServiceFields({ state, dispatch, kit: { field, a11y }, saved }: GroupProps & { saved: Profile | null }) {
  const { service, secrets, stored } = state;
  /**
   * The saved token will not go where the form now points (another origin,
   * header or way of sending): Save drops it, Test connection does not use it.
   * Said before Save, so nobody is surprised.
   */
  const tokenWillDrop = stored.serviceToken && saved?.kind === 'presign-service' && !savedTokenApplies(saved, service);

  return (
    <fieldset>
      <legend>{t('editor_serviceLegend')}</legend>
      {field(
        'serviceUrl',
        t('field_serviceUrl'),
        <input
          type="url"
          {...a11y('serviceUrl', true)}
          value={service.serviceUrl}
          placeholder="https://files.example.com"
          onInput={(e) => dispatch({ type: 'set', field: 'serviceUrl', value: e.currentTarget.value })}
          spellcheck={false}
        />,
        t('editor_serviceUrlHint', { path: PRESIGN_PATH }),
      )}
      {field(
        'serviceAuth',
        t('field_serviceAuth'),
        <select {...a11y('serviceAuth')} value={service.serviceAuth} onChange={(e) => dispatch({ type: 'set', field: 'serviceAuth', value: e.currentTarget.value as ServiceAuth })}>
          {AUTH_CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>,
      )}
      {service.serviceAuth === 'header' &&
        field(
          'serviceAuthHeader',
          t('field_serviceAuthHeader'),
          <input
            type="text"
            {...a11y('serviceAuthHeader', true)}
            value={service.serviceAuthHeader}
            placeholder="X-API-Key"
            onInput={(e) => dispatch({ type: 'set', field: 'serviceAuthHeader', value: e.currentTarget.value })}
            autoComplete="off"
            spellcheck={false}
          />,
          t('editor_headerNameHint'),
        )}
      {service.serviceAuth !== 'none' &&
        field(
          'serviceToken',
          service.serviceAuth === 'header' ? t('editor_headerValue') : t('field_serviceToken'),
          <input
            type="password"
            {...a11y('serviceToken', true)}
            value={secrets.serviceToken}
            placeholder={stored.serviceToken && !tokenWillDrop ? t('editor_savedPlaceholder') : ''}
            onInput={(e) => dispatch({ type: 'set', field: 'serviceToken', value: e.currentTarget.value })}
            autoComplete="off"
          />,
          tokenWillDrop && !secrets.serviceToken
            ? t('team_tokenAgain')
            : stored.serviceToken && !tokenWillDrop
              ? t('editor_serviceTokenSaved')
              : t('editor_serviceTokenHint'),
        )}
      {field(
        'bucket',
        t('editor_serviceBucket'),
        <input type="text" {...a11y('bucket', true)} value={service.bucket} onInput={(e) => dispatch({ type: 'set', field: 'bucket', value: e.currentTarget.value })} autoComplete="off" spellcheck={false} />,
        t('editor_serviceBucketHint'),
      )}
      <p class="hint">
        {service.endpoint
          ? tRich(service.region ? 'editor_serviceS3HostRegion' : 'editor_serviceS3Host', { host: <strong>{hostOf(service.endpoint)}</strong>, region: service.region })
          : t('editor_serviceS3Unknown')}{' '}
        {t('editor_serviceLimits')}
      </p>
    </fieldset>
  );
}
