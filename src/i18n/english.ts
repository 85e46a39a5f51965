import { en } from './en';
import { useEnglishFallback } from './t';

/**
 * Import for its effect where the browser has no i18n API: Chrome's offscreen
 * document, Node tests and scripts. English sentences then come from the catalog.
 */
useEnglishFallback(en);
