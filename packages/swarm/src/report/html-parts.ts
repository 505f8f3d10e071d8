/**
 * Small pure HTML builders shared by the HTML report and the web UI. Everything that comes from a run (endpoint
 * names, error messages, section cells, user class names) is user-controlled text: it goes through `esc`.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A cell: plain text (escaped) or `{ html }` already built by these helpers. */
export type Cell = string | number | null | { html: string };

function cell(c: Cell, tag: 'td' | 'th', numeric: boolean): string {
  if (c !== null && typeof c === 'object') return `<${tag}>${c.html}</${tag}>`;
  const text = c === null ? '-' : String(c);
  return `<${tag}${numeric ? ' class="num"' : ''}>${esc(text)}</${tag}>`;
}

/**
 * A table; the first `leftColumns` (default 1) are text, the rest numbers (right-aligned).
 *
 * @example
 * htmlTable(['Name', '# reqs'], [['/users', 12]]);
 */
export function htmlTable(head: string[], rows: Cell[][], leftColumns = 1, id?: string): string {
  const th = head.map((h, i) => cell(h, 'th', i >= leftColumns)).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => cell(c, 'td', i >= leftColumns)).join('')}</tr>`);
  const idAttr = id ? ` id="${esc(id)}"` : '';
  return `<table${idAttr}><thead><tr>${th}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** A titled report section; `id` makes it addressable from tests and links. */
export function section(id: string, title: string, content: string, note?: string): string {
  const n = note ? `<p class="note">${esc(note)}</p>` : '';
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${content}${n}</section>`;
}

/** A horizontal bar for a share in [0, 1], with its percentage as text. */
export function shareBar(share: number): { html: string } {
  const pct = Math.max(0, Math.min(100, share * 100));
  return {
    html: `<span class="bar"><span style="width:${pct.toFixed(1)}%"></span></span> ${pct.toFixed(1)}%`,
  };
}
