import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GatewayVars, renderTemplate } from '../gateway-config';

/** gateway/ at the repository root: the templates shared by the native stack and docker-compose. */
export const GATEWAY_TEMPLATES = fileURLToPath(new URL('../../../gateway', import.meta.url));

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : templates(path);
    return entry.name.endsWith('.template') ? [path] : [];
  });
}

/**
 * Writes `text` to `path` unless it already holds it, through a temporary file and a rename: a running nginx that
 * reloads at that moment reads either the old file or the new one, never a half-written one.
 */
function writeIfChanged(path: string, text: string) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/**
 * Renders every `*.template` under `from` into `to`, keeping the relative path and dropping `.template`, as the
 * nginx image's envsubst step does under docker-compose. Returns the rendered files' contents joined, so a caller
 * can tell whether the configuration changed.
 */
export function renderGatewayConfig(to: string, vars: GatewayVars, from = GATEWAY_TEMPLATES): string {
  let all = '';
  for (const file of templates(from).sort()) {
    const name = relative(from, file).replace(/\.template$/, '');
    const text = renderTemplate(readFileSync(file, 'utf8'), vars, relative(from, file));
    writeIfChanged(join(to, name), text);
    all += `# ${name}\n${text}`;
  }
  return all;
}
