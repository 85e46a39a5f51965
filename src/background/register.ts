import { onMessage, type Handlers, type MessageType, type ProtocolMap } from '../messaging/protocol';
import { isOwnExtensionPage } from '../messaging/sender';

/**
 * Wires each protocol message to its handler, refusing anything not sent by
 * this extension's own pages. The list is the handlers' own keys: the type
 * makes sure there is one for every message of the map, so no second list
 * can drift from it.
 */
export function registerHandlers(handlers: Handlers<ProtocolMap>, self: { extensionId: string; extensionOrigin: string }): MessageType[] {
  const types = Object.keys(handlers) as MessageType[];
  for (const type of types) {
    onMessage(type, ({ data, sender }) => {
      if (!isOwnExtensionPage(sender, self.extensionId, self.extensionOrigin))
        throw new Error(`Refused "${type}" from ${sender.url ?? 'an unknown sender'}: only S3 Drop's own pages may ask.`);
      return (handlers[type] as (d: unknown) => Promise<unknown>)(data) as never;
    });
  }
  return types;
}
