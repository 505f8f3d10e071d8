import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { startTestServer } from './support/test-server';

// Swarm as a user outside this repository gets it: `npm pack` (its prepack builds dist/), the tarball installed
// into a fresh folder under the system's temp dir, then `npx swarm run` on scenarios written there. Project
// "stack" (vitest.config.ts): it builds, packs and installs, so it runs alone. The package's dependencies come
// from npm's cache when `npm ci` left them there, else from the registry.

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(PACKAGE_DIR, '..', '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// What `npm` or `npx` put in the environment when they started this test (npm_config_local_prefix is this
// repository's root, npm_package_* its manifest) must not steer the fresh project's npm.
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
const ENV = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || KEPT_NPM_SETTINGS.has(k.toLowerCase())),
  ),
  // The bin's `#!/usr/bin/env node` finds this Node first.
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_update_notifier: 'false',
};

/** Process groups still running, killed after the file if a test was cut short. */
const running = new Set<number>();

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group; past `timeoutMs` the group is killed and the promise rejects. */
function run(command: string, args: string[], cwd: string, timeoutMs = 100_000): Promise<Ran> {
  const child = spawn(command, args, { cwd, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid!;
  running.add(pgid);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise<Ran>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(pgid);
      reject(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(pgid);
      resolve({ code, stdout, stderr });
    });
  });
}

function killGroup(pgid: number) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group has exited already
  }
}

const TS_SCENARIO = `import { constant, HttpUser, type ScenarioOptions, task } from 'swarmgate-swarm';

export class Visitor extends HttpUser {
  waitTime = constant(0.02);

  @task(3) async home() {
    await this.client.get('/');
  }

  @task async item() {
    await this.client.get(\`/items/\${1 + Math.floor(Math.random() * 100)}\`);
  }
}

export const options: ScenarioOptions = { thresholds: ['rate<0.01'] };
`;

const JS_SCENARIO = `import { constant, HttpUser } from 'swarmgate-swarm';

export class Visitor extends HttpUser {
  static tasks = { home: 3, item: 1 };
  waitTime = constant(0.02);

  async home() {
    await this.client.get('/');
  }

  async item() {
    await this.client.get(\`/items/\${1 + Math.floor(Math.random() * 100)}\`);
  }
}
`;

let dir: string;
let project: string;
let packedFiles: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-package-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], PACKAGE_DIR);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = info!.files.map((f) => f.path);

  // What `npm install` writes in an empty folder: a package.json without "type". A subfolder says
  // "type": "commonjs", as `npm init -y` does.
  project = join(dir, 'project');
  mkdirSync(join(project, 'commonjs'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "name": "load-tests", "private": true }\n');
  writeFileSync(join(project, 'commonjs', 'package.json'), '{ "type": "commonjs" }\n');
  const installed = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '-D', join(dir, info!.filename)],
    project,
  );
  expect(installed.code, installed.stderr).toBe(0);
  writeFileSync(join(project, 'scenario.ts'), TS_SCENARIO);
  writeFileSync(join(project, 'scenario.js'), JS_SCENARIO);
  writeFileSync(join(project, 'commonjs', 'scenario.ts'), TS_SCENARIO);
  writeFileSync(join(project, 'commonjs', 'scenario.mjs'), JS_SCENARIO);
});

afterAll(() => {
  for (const pgid of running) killGroup(pgid);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `npx swarm run FILE` headless for 2 s against a fresh counting server: the summary and the server's count. */
async function runScenario(file: string, extra: string[]) {
  const server = await startTestServer();
  try {
    const json = `${file}.summary.json`;
    const cliArgs = ['run', file, '--headless', '-u', '4', '-r', '100', '-t', '2s', ...extra];
    const r = await run(
      'npx',
      ['--no-install', 'swarm', ...cliArgs, '-H', server.url, '--stop-timeout', '5s', '--json', json],
      project,
    );
    const summary = existsSync(join(project, json))
      ? (JSON.parse(readFileSync(join(project, json), 'utf8')) as Summary)
      : undefined;
    return { ...r, summary, served: server.total() };
  } finally {
    await server.close();
  }
}

describe('the published package, installed into a fresh project', () => {
  it('ships the launcher, built JavaScript and declarations, and no TypeScript sources or tests', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/swarm.js',
        'bin/engine-process.js',
        'bin/launch.js',
        'bin/resolve-hooks.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
      ]),
    );
    expect(
      packedFiles.filter((f) => /^src\/|\.test\.|test-support|\.ts$/.test(f) && !f.endsWith('.d.ts')),
    ).toEqual([]);
    const bin = join(project, 'node_modules', 'swarmgate-swarm', 'bin', 'swarm.js');
    expect(readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    // No src/ beside it, so the launcher runs dist/.
    expect(existsSync(join(project, 'node_modules', 'swarmgate-swarm', 'src'))).toBe(false);
  });

  // The --processes run starts the workers from the installed package too.
  it.each([
    ['scenario.ts', 'TypeScript with decorators, package.json without "type"', []],
    [
      'commonjs/scenario.ts',
      'TypeScript with decorators under "type": "commonjs", 2 processes',
      ['--processes', '2'],
    ],
    ['scenario.js', 'plain JavaScript, package.json without "type"', []],
    ['commonjs/scenario.mjs', 'plain JavaScript (.mjs) under "type": "commonjs"', []],
  ])('npx swarm run %s (%s) loads it and counts what the server served', async (file, _, extra) => {
    const r = await runScenario(file, extra);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Type\s+Name\s+# reqs/);
    const s = r.summary!;
    expect(s.total.requests).toBeGreaterThan(10);
    expect(s.total.requests).toBe(r.served);
    expect(s.total.failures).toBe(0);
    expect(s.endpoints.map((e) => `${e.method} ${e.name}`).sort()).toEqual(['GET /', 'GET /items/:id']);
    expect(s.thresholds.every((t) => t.ok)).toBe(true);
  });

  it('type-checks a scenario against the shipped declarations (strict, module nodenext)', async () => {
    const typeRoots = join(REPO_ROOT, 'node_modules', '@types');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2023'];
    const r = await run(
      process.execPath,
      [TSC, ...args, '--types', 'node', '--typeRoots', typeRoots, 'scenario.ts'],
      project,
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
