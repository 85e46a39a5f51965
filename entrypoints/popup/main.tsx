import { render } from 'preact';
import { t } from '../../src/i18n/t';
import '../../src/ui/theme.css';
import './popup.css';
import { PopupApp } from '../../src/ui/popup-app';

// The HTML <title> is the English fallback; the page's title is the catalog's.
document.title = t('ext_name');
render(<PopupApp />, document.getElementById('app')!);
// Uploads a restart interrupted: looked up after the first screen, their list loaded only if there are some.
void import('../../src/ui/unfinished-gate').then((m) => m.showUnfinished());
