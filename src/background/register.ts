import { onMessage, type Handlers, type MessageType, type ProtocolMap } from '../messaging/protocol';
import { isOwnExtensionPage } from '../messaging/sender';

/** Message types with their handlers; a meta-test checks that every type in the protocol has one. */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'getSettings',
  'saveProfile',
  'deleteProfile',
  'duplicateProfile',
  'setDefaultProfile',
  'importProfiles',
  'unlock',
  'lock',
  'setPassphrase',
  'removePassphrase',
  'setLockAfter',
  'testConnection',
  'planUpload',
  'signUpload',
  'shareLink',
  'recordUpload',
  'ensureRunner',
  'multipartCreate',
  'multipartSignParts',
  'multipartComplete',
  'multipartAbort',
  'listHistory',
  'freshLink',
  'deleteUpload',
  'clearHistory',
  'setHistoryLimit',
];

/** Wires each protocol message to its handler, refusing anything not sent by this extension's own pages. */
export function registerHandlers(handlers: Handlers<ProtocolMap>, self: { extensionId: string; extensionOrigin: string }): void {
  for (const type of MESSAGE_TYPES) {
    onMessage(type, ({ data, sender }) => {
      if (!isOwnExtensionPage(sender, self.extensionId, self.extensionOrigin))
        throw new Error(`Refused "${type}" from ${sender.url ?? 'an unknown sender'}: only S3 Drop's own pages may ask.`);
      return (handlers[type] as (d: unknown) => Promise<unknown>)(data) as never;
    });
  }
}
