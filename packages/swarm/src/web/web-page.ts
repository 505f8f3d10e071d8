import { esc } from '../report/html-parts';
import { renderReportBody } from '../report/html-report';
import { REPORT_CSS } from '../report/html-style';
import { formatDuration } from '../runner/duration';
import type { Summary } from '../stats/summary-types';
import type { RunState } from './live-run';
import { CLIENT_SCRIPT } from './web-client';

/** What one update of the page carries (sent as JSON over server-sent events). */
export interface LiveFrame {
  state: RunState;
  userCount: number;
  error: string | null;
  html: string;
}

/**
 * The report part of the page for a summary (pure): the very `renderReportBody` of the HTML report, marked live
 * while the run goes on, or a hint before the first run.
 */
export function liveFragment(summary: Summary | null, live: boolean): string {
  if (summary === null) return '<p class="note" id="no-run">No statistics yet: start a run.</p>';
  return renderReportBody(summary, { live });
}

export interface PageOptions {
  frame: LiveFrame;
  /** User classes of the scenario, all ticked by default. */
  classes: readonly string[];
  /** What the start form shows first: the flags `-u`, `-r`, `-H` and `-t` (the run time, an advanced option). */
  defaults: { users: number; spawnRate: number; host: string; runTimeS?: number | undefined };
  scenario: string;
}

const UI_CSS = `
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; padding: 8px 0; border-bottom: 1px solid var(--line); }
.controls form { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls input[type=text], .controls input[type=number] { width: 9em; padding: 3px; }
.controls input[name=host] { width: 16em; }
.controls details { font-size: 12px; color: var(--muted); }
.field-error, #message, #run-error { color: var(--fail); font-size: 12px; min-height: 1em; }
.status { font-size: 14px; } .status b { font-size: 16px; }
body[data-state=running] #start-form button, body[data-state=starting] #start-form button { opacity: .5; }
.downloads a { margin-right: 8px; }
`;

function field(name: string, label: string, value: string | number, type = 'number'): string {
  return (
    `<label>${esc(label)}<input type="${type}" name="${name}" id="${name}" value="${esc(value)}">` +
    `<span class="field-error" data-error-for="${name}"></span></label>`
  );
}

/**
 * The web UI's page (pure): the start form (users, spawn rate, host, user classes, and as Locust's advanced
 * option the run time), the change form, stop and
 * reset buttons, download links and the live report, which the inline script replaces on every server event.
 *
 * @example
 * res.end(renderPage({ frame, classes: ['Reader'], defaults: { users: 10, spawnRate: 1, host: '' }, scenario }));
 */
export function renderPage(o: PageOptions): string {
  const d = o.defaults;
  const runTime = d.runTimeS === undefined ? '' : formatDuration(d.runTimeS);
  const classes = o.classes
    .map(
      (c) =>
        `<label class="class"><span><input type="checkbox" name="userClasses" value="${esc(c)}" checked> ${esc(c)}</span></label>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Swarm: ${esc(o.scenario)}</title>
<style>${REPORT_CSS}${UI_CSS}</style>
</head>
<body data-state="${esc(o.frame.state)}">
<h1>Swarm <small>${esc(o.scenario)}</small></h1>
<p class="status">State <b id="run-state">${esc(o.frame.state)}</b> · running users <b id="running-users">${o.frame.userCount}</b>
 <span id="run-error">${esc(o.frame.error ?? '')}</span></p>
<div class="controls">
<form id="start-form" novalidate>
${field('users', 'Users', d.users)}${field('spawnRate', 'Spawn rate (users/s)', d.spawnRate)}${field('host', 'Host', d.host, 'text')}
<fieldset><legend>User classes</legend>${classes}<span class="field-error" data-error-for="userClasses"></span></fieldset>
<details id="advanced"${runTime === '' ? '' : ' open'}><summary>Advanced options</summary>
${field('runTime', 'Run time (e.g. 20s, 3m, 1h20m; empty: until stopped)', runTime, 'text')}
</details>
<button type="submit" id="start">Start</button>
</form>
<form id="change-form" novalidate>
${field('users', 'Change users to', d.users).replace('id="users"', 'id="change-users"')}${field('spawnRate', 'at (users/s)', d.spawnRate).replace('id="spawnRate"', 'id="change-spawnRate"')}
<button type="submit" id="apply">Apply</button>
</form>
<div><button type="button" id="stop">Stop</button> <button type="button" id="reset">Reset statistics</button>
<p class="downloads">Download: <a href="/download/report.json" download id="download-json">JSON</a>
<a href="/download/report_stats.csv" download id="download-csv">CSV</a>
<a href="/download/report_stats_history.csv" download>CSV history</a>
<a href="/download/report.html" download id="download-html">HTML</a></p>
<p id="message"></p></div>
</div>
<main id="report">${o.frame.html}</main>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
