/**
 * The image stage of the pipeline: a picture is made smaller, or turned into
 * WebP, JPEG or AVIF, before it is started, so the key, type and size the
 * background signs are the new file's. The profile's choice is the
 * background's to read (`fileTreatment`, the same question as the privacy
 * stage's); the pixels are drawn where the bytes are. It runs before the
 * privacy stage: a re-encoded file carries no metadata at all, so that stage
 * leaves it alone, and a file this stage keeps is cleaned as usual.
 */
import { unwrapResult } from '../result';
import type { PictureCodec } from '../images/canvas';
import {
  judgeEncoded,
  MAX_CANVAS_SIDE,
  MAX_IMAGE_BYTES,
  OUTPUT_TYPES,
  pictureKind,
  planPicture,
  renamed,
  sniffFormat,
  SNIFF_BYTES,
  targetSize,
  type ImageReport,
} from '../images/decide';
import type { AskTreatment } from './photo-privacy';
import type { Transform, UploadFile } from './pipeline';

export function imageStage(ask: AskTreatment, codec: PictureCodec): Transform {
  return async (file, signal, context) => {
    // Known by its first bytes: SVG, PDFs, HEIC and the rest cost no question and go up untouched.
    if (!sniffFormat(new Uint8Array(await file.body.slice(0, SNIFF_BYTES).arrayBuffer()))) return file;
    const { images } = unwrapResult(await ask(context));
    if (!images || signal.aborted) return file;
    const kept = (report: ImageReport): UploadFile => ({ ...file, image: report });

    // Read whole only once it is known to be wanted: a GIF's frames are counted, an APNG's chunks read.
    if (file.body.size > MAX_IMAGE_BYTES) return kept({ status: 'kept', reason: 'too-large' });
    const kind = pictureKind(new Uint8Array(await file.body.arrayBuffer()));
    if (!kind) return file;
    const plan = planPicture(kind, images);
    if (plan.action === 'skip') return plan.report ? kept(plan.report) : file;

    let picture;
    try {
      picture = await codec.decode(file.body);
    } catch {
      return kept({ status: 'kept', reason: 'unreadable' });
    }
    try {
      const size = targetSize(picture.width, picture.height, images.maxSize);
      if (size.width > MAX_CANVAS_SIDE || size.height > MAX_CANVAS_SIDE) return kept({ status: 'kept', reason: 'too-large' });
      if (signal.aborted) return file;
      const type = OUTPUT_TYPES[plan.format];
      let body: Blob;
      try {
        body = await codec.encode(picture, { width: size.width, height: size.height }, type, images.quality);
      } catch {
        return kept({ status: 'kept', reason: 'unreadable' });
      }
      const verdict = judgeEncoded({ asked: plan.format, gotType: body.type, originalBytes: file.body.size, newBytes: body.size, resized: size.resized });
      if (!verdict.use) return kept(verdict.report);
      return {
        body,
        name: renamed(file.name, plan.format),
        type,
        image: { status: 'converted', format: plan.format, width: size.width, height: size.height, resized: size.resized, changedFormat: plan.format !== kind.format },
      };
    } finally {
      picture.close();
    }
  };
}
