import { describe, expect, it } from 'vitest';
import { showPlace, whereItFailed } from './scenario-error';

const ENGINE = '/repo/packages/swarm/src/';

describe('whereItFailed', () => {
  it('reads a syntax error’s place from the transform’s message (esbuild counts columns from 0)', () => {
    const err = new Error('Transform failed with 1 error:\n/work/s/bad.ts:5:31: ERROR: Unexpected ")"');
    err.name = 'TransformError';
    expect(whereItFailed(err, ENGINE)).toEqual({
      place: { file: '/work/s/bad.ts', line: 5, column: 32 },
      message: 'SyntaxError: Unexpected ")"',
    });
  });

  it('takes a throw’s place from the first frame of the user’s code, skipping Node, dependencies and the engine', () => {
    const err = new RangeError('stages: need at least one stage');
    err.stack = [
      'RangeError: stages: need at least one stage',
      `    at resolve (${ENGINE}runner/load-shape.ts:44:9)`,
      '    at stages (file:///repo/node_modules/x/index.js:1:1)',
      '    at <anonymous> (file:///work/s/spike.ts:12:22)',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
    ].join('\n');
    expect(whereItFailed(err, ENGINE)).toEqual({
      place: { file: '/work/s/spike.ts', line: 12, column: 22 },
      message: 'RangeError: stages: need at least one stage',
    });
  });

  it('gives the message alone when no frame is the user’s', () => {
    const err = new SyntaxError("The requested module './x' does not provide an export named 'y'");
    err.stack = `${err.name}: ${err.message}\n    at ModuleJob._instantiate (node:internal/modules/esm/module_job:213:21)`;
    expect(whereItFailed(err, ENGINE).place).toBeNull();
    expect(whereItFailed('a string', ENGINE)).toEqual({ place: null, message: 'a string' });
  });
});

describe('showPlace', () => {
  it('shows the line with a caret under the column, as a compiler does', () => {
    const source = "import x from 'y';\n\nconst a = f(1 +);\n";
    expect(showPlace({ file: 'bad.ts', line: 3, column: 16 }, () => source)).toBe(
      ['  at bad.ts:3:16', '    3 | const a = f(1 +);', '      |                ^'].join('\n'),
    );
  });

  it('shows the place alone when the file cannot be read', () => {
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    expect(showPlace({ file: 'gone.ts', line: 1, column: 1 }, unreadable)).toBe('  at gone.ts:1:1');
  });
});
