import { render } from 'preact';
import { t } from '../../src/i18n/t';
import '../../src/ui/theme.css';
import './options.css';
import { OptionsApp } from '../../src/ui/options-app';

// The HTML <title> is the English fallback; the page's title is the catalog's.
document.title = t('options_title');
render(<OptionsApp />, document.getElementById('app')!);
