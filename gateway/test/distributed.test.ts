import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../packages/swarm/src/index';
import { waitFor } from '../../scripts/lib/ports';
import { type AccessLine, accessLogPath } from './support/access-log';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from './support/stack';

// The distributed run of issue 16, rehearsed on one machine: three `swarm run --segment i/3` processes, each
// sending from its own loopback address (so the gateway sees three clients, as it would three pods or machines)
// and all starting at one --start-at instant, through the real gateway; `swarm merge` then gives the whole run,
// whose counts must be the gateway's own, per source address.

const run = promisify(execFile);
const SWARM = join(REPO_ROOT, 'packages', 'swarm', 'bin', 'swarm.js');
const SCENARIO = join(import.meta.dirname, 'fixtures', 'distributed-reader.ts');
const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

let stack: TestStack;
let dir = '';

beforeAll(async () => {
  stack = await upTestStack(2, { MONITOR: 'off' });
  dir = mkdtempSync(join(tmpdir(), 'swarm-distributed-'));
});

afterAll(async () => {
  await downTestStack(stack);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `swarm ...args`; resolves with the exit code and output (a non-zero exit is an answer, not a rejection). */
async function swarm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [SWARM, ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Summary;

/** The access log's lines of requests sent from `SOURCES`. */
function linesFromSources(): AccessLine[] {
  return readFileSync(accessLogPath(stack.dir), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AccessLine)
    .filter((l) => SOURCES.includes(l.remote_addr));
}

describe('a distributed run, rehearsed on one machine', () => {
  it('three segments from three addresses start together and merge to the gateway’s own counts', async () => {
    const host = `http://127.0.0.1:${stack.gatewayPort}`;
    // Computed once, as the Job's generator does, far enough ahead for three CLIs to start on a busy machine.
    const startAt = Math.round(Date.now() / 1000) + 30;
    const segments = await Promise.all(
      SOURCES.map((source, i) =>
        swarm([
          'run',
          '--headless',
          SCENARIO,
          '-u',
          '6',
          '-r',
          '100',
          '-t',
          '3s',
          '--stop-timeout',
          '5s',
          '-H',
          host,
          '--segment',
          `${i + 1}/3`,
          '--run-id',
          'rehearsal',
          '--start-at',
          String(startAt),
          '--source-address',
          source,
          '--json',
          join(dir, `segment-${i + 1}.json`),
        ]),
      ),
    );
    for (const s of segments) expect(s.code, s.stderr).toBe(0);
    const parts = SOURCES.map((_, i) => read(`segment-${i + 1}.json`));
    for (const [i, p] of parts.entries()) {
      expect(p.config.segment).toBe(`${i + 1}/3`);
      expect(p.config.sourceAddresses).toEqual([SOURCES[i]]);
      expect(p.config.startAt).toBe(startAt * 1000);
      expect(p.startedAt).toBeGreaterThanOrEqual(startAt * 1000);
      expect(p.total.requests).toBeGreaterThan(0);
    }

    const merged = await swarm([
      'merge',
      ...SOURCES.map((_, i) => join(dir, `segment-${i + 1}.json`)),
      '--json',
      join(dir, 'merged.json'),
      '--threshold',
      'rate<0.01',
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    const whole = read('merged.json');
    expect(whole.runId).toBe('rehearsal');
    expect(whole.config.sourceAddresses).toEqual(SOURCES);
    expect(whole.total.requests).toBe(parts.reduce((n, p) => n + p.total.requests, 0));

    // nginx flushes its log buffer at least once a second: wait until it holds every request merged.
    await waitFor(
      'the access log to hold every request of the run',
      () => linesFromSources().length >= whole.total.requests,
      15_000,
    );
    const lines = linesFromSources();
    expect(lines).toHaveLength(whole.total.requests);
    for (const [i, source] of SOURCES.entries()) {
      expect(
        lines.filter((l) => l.remote_addr === source),
        source,
      ).toHaveLength(parts[i]!.total.requests);
    }
    expect(lines.every((l) => l.status === 200)).toBe(true);
  });
});
