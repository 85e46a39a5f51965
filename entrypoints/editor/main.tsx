import { render } from 'preact';
import { t } from '../../src/i18n/t';
import '../../src/ui/theme.css';
import './editor.css';
import { CaptureEditorApp } from '../../src/ui/capture-editor/editor-app';

// The HTML <title> is the English fallback; the page's title is the catalog's.
document.title = t('capture_pageTitle');
render(<CaptureEditorApp />, document.getElementById('app')!);
