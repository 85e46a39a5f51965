import { render } from 'preact';
import '../../src/ui/theme.css';
import './history.css';
import { HistoryApp } from '../../src/ui/history-app';

render(<HistoryApp />, document.getElementById('app')!);
