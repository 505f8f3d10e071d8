import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fillTemplate } from '../template';

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : templates(path);
    return entry.name.endsWith('.template') ? [path] : [];
  });
}

/**
 * Writes `text` to `path` unless it already holds it, through a temporary file and a rename: a running nginx or
 * Prometheus that reloads at that moment reads either the old file or the new one, never a half-written one.
 */
function writeIfChanged(path: string, text: string) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/**
 * Renders every `*.template` under `from` (but not its `test/` folders) into `to`, keeping the relative path and
 * dropping `.template`, as envsubst does for the containers, filling the placeholders that start with `prefix`.
 * Returns the rendered files' contents joined, so a caller can tell whether the configuration changed.
 */
export function renderTemplateDir(
  from: string,
  to: string,
  vars: Record<string, string>,
  prefix: string,
): string {
  let all = '';
  for (const file of templates(from).sort()) {
    const name = relative(from, file).replace(/\.template$/, '');
    const text = fillTemplate(readFileSync(file, 'utf8'), vars, prefix, relative(from, file));
    writeIfChanged(join(to, name), text);
    all += `# ${name}\n${text}`;
  }
  return all;
}
