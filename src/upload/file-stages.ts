/**
 * The transforms every file goes through before it starts, in order, for
 * both places uploads run (the runner for popup files, the background for
 * right-clicks and screenshots): pictures are resized or converted first, so
 * a re-encoded file (which keeps no metadata) is not cleaned again, and a
 * file left as it is still loses its location. Both ask the profile's choice
 * with one `fileTreatment` message per file.
 */
import type { PictureCodec } from '../images/canvas';
import { imageStage } from './image-stage';
import { askOncePerFile, photoPrivacyStage, type AskTreatment } from './photo-privacy';
import type { Transform } from './pipeline';

export function fileStages(ask: AskTreatment, codec: PictureCodec): Transform[] {
  const once = askOncePerFile(ask);
  return [imageStage(once, codec), photoPrivacyStage(once)];
}
