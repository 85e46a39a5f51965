import { browser } from 'wxt/browser';
import { createService } from '../src/background/service';
import { registerHandlers } from '../src/background/register';
import { profileItem, secretsItem } from '../src/settings/items';

export default defineBackground(() => {
  registerHandlers(
    createService({
      loadProfile: () => profileItem.getValue(),
      loadSecrets: () => secretsItem.getValue(),
      store: async (profile, secrets) => {
        await Promise.all([profileItem.setValue(profile), secretsItem.setValue(secrets)]);
      },
      hasHostPermission: (origins) => browser.permissions.contains({ origins }),
      fetch: (input, init) => fetch(input, init),
      now: () => new Date(),
      uuid: () => crypto.randomUUID(),
    }),
    { extensionId: browser.runtime.id, extensionOrigin: browser.runtime.getURL('/') },
  );
});
