/** The report's stylesheet, inlined so the file opens offline; shared with the web UI. */
export const REPORT_CSS = `
:root { --fg:#1b1f24; --muted:#5b6470; --line:#d8dde3; --bg:#fff; --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  margin: 0 auto; padding: 16px 24px; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 12px 0 4px; } small, .note { color: var(--muted); }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f3f5f7; } .num { text-align: right; }
td:last-child { white-space: normal; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; font-weight: 600; }
.verdict.pass, .verdict.fail, .verdict.live { color: #fff; }
.verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail); } .verdict.live { background: #0969da; }
span.pass { color: var(--pass); font-weight: 600; } span.fail { color: var(--fail); font-weight: 600; }
.warning { border: 1px solid var(--warn); background: #fff8c5; color: #4d2d00; padding: 8px 12px; border-radius: 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 4px; padding: 8px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart .grid { stroke: #eceff2; } figure.chart .tick { font-size: 10px; fill: var(--muted); }
figure.chart rect.band { fill: #D55E00; fill-opacity: 0.15; } figcaption i.band { background: #D55E00; opacity: 0.3; }
figure.chart .marker line { stroke: #1b1f24; stroke-dasharray: 4 3; } figure.chart .marker text { font-size: 10px; fill: #1b1f24; }
figure.chart rect.annotation { fill: #CC79A7; fill-opacity: 0.2; } figcaption i.annotation { background: #CC79A7; opacity: 0.5; }
figure.chart .annotation-mark line { stroke: #CC79A7; stroke-width: 2; } figure.chart .annotation-mark text { font-size: 10px; fill: #7a3a63; }
figcaption .key { margin-right: 12px; font-size: 12px; } figcaption i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.bar { display: inline-block; width: 120px; height: 10px; background: #eceff2; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #0072B2; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 0 24px; }
`;
