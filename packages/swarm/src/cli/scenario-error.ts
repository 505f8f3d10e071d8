import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A place in a source file, 1-based as editors count. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
}

/** esbuild's (tsx's) transform error: `Transform failed with 1 error:\n/path/x.ts:5:31: ERROR: Unexpected ")"`. */
const TRANSFORM = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;
/** A stack frame's place: `at fn (file:///path/x.ts:4:26)` or `at /path/x.ts:4:26`. */
const FRAME = /(?:^|[\s(])((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/;

function pathOf(location: string): string {
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}

/**
 * Where a scenario failed to load, and why, from the error its import threw (pure): a syntax error's place from
 * the transform's message; a throw at the top level from the first stack frame that is the user's (not Node's,
 * not a dependency's, not the engine's own `engineDir`).
 *
 * @example
 * whereItFailed(err, '/repo/packages/swarm/src'); // { place: { file, line: 5, column: 31 }, message: 'SyntaxError: Unexpected ")"' }
 */
export function whereItFailed(
  err: unknown,
  engineDir: string,
): { place: SourcePlace | null; message: string } {
  if (!(err instanceof Error)) return { place: null, message: String(err) };
  const transform = err.name === 'TransformError' ? TRANSFORM.exec(err.message) : null;
  if (transform !== null) {
    const [, file, line, column, text] = transform;
    return {
      place: { file: file!, line: Number(line), column: Number(column) + 1 },
      message: `SyntaxError: ${text}`,
    };
  }
  const message = `${err.name}: ${err.message}`;
  for (const frame of (err.stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(frame.trim());
    if (m === null) continue;
    const file = pathOf(m[1]!);
    if (file.includes('/node_modules/') || file.startsWith(engineDir)) continue;
    return { place: { file, line: Number(m[2]), column: Number(m[3]) }, message };
  }
  return { place: null, message };
}

/**
 * The place with its source line and a caret under the column, as a compiler shows it; just the place when the
 * file cannot be read.
 *
 * @example
 * showPlace({ file: 'bad.ts', line: 5, column: 31 }, readFileSync);
 * // '  at bad.ts:5:31\n    5 |     await this.client.get(\'/\' +);\n      |                               ^'
 */
export function showPlace(
  place: SourcePlace,
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): string {
  const at = `  at ${place.file}:${place.line}:${place.column}`;
  let text: string | undefined;
  try {
    text = read(place.file).split('\n')[place.line - 1];
  } catch {
    text = undefined;
  }
  if (text === undefined) return at;
  const gutter = String(place.line);
  const pad = ' '.repeat(gutter.length);
  const caret = `${' '.repeat(Math.max(0, place.column - 1))}^`;
  return `${at}\n    ${gutter} | ${text.replace(/\t/g, ' ')}\n    ${pad} | ${caret}`;
}
