export { renderConsole, renderProgress, renderStatsTable } from './console-report';
export { renderCsv } from './csv-report';
export { renderHtmlReport, renderReportBody } from './html-report';
export { renderJson } from './json-report';
export { renderJunit } from './junit-report';
