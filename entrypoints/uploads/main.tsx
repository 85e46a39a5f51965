import { render } from 'preact';
import { t } from '../../src/i18n/t';
import '../../src/ui/theme.css';
import './history.css';
import { HistoryApp } from '../../src/ui/history-app';

// The HTML <title> is the English fallback; the page's title is the catalog's.
document.title = t('history_pageTitle');
render(<HistoryApp />, document.getElementById('app')!);
