/**
 * The privacy stage of the pipeline: a photo's location (or, if the profile
 * says so, all its metadata) comes out before the file is started, so the
 * size the background signs is the cleaned file's. The profile's choice is
 * the background's to read (`fileTreatment`); the bytes are changed where
 * they are (the runner, or the background for right-clicks). The rewriting is
 * in src/privacy/, byte-level and without any browser API.
 */
import { unwrapResult, type Result } from '../result';
import { cleanPhoto, photoFormat, rewritable, SIGNATURE_BYTES } from '../privacy/clean';
import type { FileTreatment } from './ticket';
import type { Transform, TransformContext } from './pipeline';

/**
 * The largest photo read whole into memory to be cleaned. Camera and phone
 * photos are a few MB to a few tens; a file beyond this goes up unchanged,
 * and its row says the location could not be removed.
 */
export const MAX_CLEANED_BYTES = 256 * 1024 ** 2;

/** Asks the background what the profile wants done (see `UploadProtocolMap.fileTreatment`). */
export type AskTreatment = (context: TransformContext) => Promise<Result<FileTreatment>>;

/**
 * One question per file, however many stages ask it: the pipeline gives each
 * file a context object of its own, so the answer is kept on that object
 * (and goes when the file is done).
 */
export function askOncePerFile(ask: AskTreatment): AskTreatment {
  const answers = new WeakMap<TransformContext, Promise<Result<FileTreatment>>>();
  return (context) => {
    let answer = answers.get(context);
    if (!answer) answers.set(context, (answer = ask(context)));
    return answer;
  };
}

export function photoPrivacyStage(ask: AskTreatment): Transform {
  return async (file, signal, context) => {
    // Re-encoded by the image stage: a canvas writes no metadata, so there is nothing left to remove.
    if (file.image?.status === 'converted') return file;
    // Known by its first bytes, never by a name or a type a page gave: anything else costs no question.
    const format = photoFormat(new Uint8Array(await file.body.slice(0, SIGNATURE_BYTES).arrayBuffer()));
    if (!format) return file;
    const { photoPrivacy } = unwrapResult(await ask(context));
    if (photoPrivacy === 'keep' || signal.aborted) return file;
    // HEIC and the like are not read at all; nor is a photo too large to hold in memory.
    if (!rewritable(format) || file.body.size > MAX_CLEANED_BYTES) return { ...file, privacy: { status: 'cannot', format } };
    const bytes = new Uint8Array(await file.body.arrayBuffer());
    const cleaned = cleanPhoto(bytes, photoPrivacy);
    if (!cleaned) return file;
    const body = cleaned.bytes === bytes ? file.body : new Blob([cleaned.bytes as Uint8Array<ArrayBuffer>], { type: file.body.type || file.type });
    return { ...file, body, privacy: cleaned.report };
  };
}
