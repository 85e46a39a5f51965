import type { UploadHandlers } from '../messaging/protocol';
import { s3MultipartSigner } from '../s3/multipart';
import type { WithSavedConnection } from './saved-connection';
import { conditionalWrites } from './service';

/**
 * The background's side of the upload runner's messages: multipart signing
 * for the upload's profile (the runner never sees a key), and bringing the
 * runner up.
 */
export function createUploadHandlers(deps: { withSavedConnection: WithSavedConnection; ensureRunner(): Promise<void> }): UploadHandlers {
  const withSigner = <T>(
    request: { key: string; contentType: string; profileId?: string },
    step: (signer: ReturnType<typeof s3MultipartSigner>) => Promise<T>,
  ) =>
    deps.withSavedConnection(request.profileId, 'upload', (profile, client) =>
      step(
        s3MultipartSigner(client, {
          bucket: profile.bucket,
          key: request.key,
          contentType: request.contentType,
          // The parts are joined only if the key is still free, where the server honours it (as a single PUT's If-None-Match).
          ...(conditionalWrites(profile) ? { ifNoneMatch: true } : {}),
        }),
      ),
    );

  return {
    ensureRunner: () => deps.ensureRunner(),
    multipartCreate: (request) => withSigner(request, (signer) => signer.create()),
    multipartSignParts: (request) => withSigner(request, (signer) => signer.signParts(request.uploadId, request.parts)),
    multipartComplete: (request) => withSigner(request, (signer) => signer.complete(request.uploadId, request.parts)),
    multipartAbort: (request) =>
      withSigner(request, async (signer) => {
        await signer.abort(request.uploadId);
        return null;
      }),
  };
}
