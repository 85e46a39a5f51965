import { render } from 'preact';
import '../../src/ui/theme.css';
import './popup.css';
import { PopupApp } from '../../src/ui/popup-app';

render(<PopupApp />, document.getElementById('app')!);
