import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../scripts/lib/ports';

// Every benchmark in a tiny form (about a second of load per target, one round), so that none can rot unnoticed:
// each must run to the end, print its table and leave nothing running. No number is judged here; the numbers
// live in BENCHMARKS.md, measured with the full flags.

const REPO_ROOT = join(import.meta.dirname, '..');
/** How long one tiny run may take before it is stopped: its normal time is 5-20 s, more on a busy machine. */
const RUN_TIMEOUT_MS = 100_000;

/** A table row: the label, then at least one number and nothing that failed to measure (NaN, undefined). */
const row = (label: string) =>
  new RegExp(
    `^\\| ${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\| [\\d.]+ (\\||/)(?!.*(NaN|undefined))`,
    'm',
  );

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Process groups of benchmarks still running, killed after the file if a test was cut short. */
const running = new Set<number>();
afterAll(() => {
  for (const pgid of running) signalGroup(pgid, 'SIGKILL');
});

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is empty already
  }
}

/** Live (not zombie) members of process group `pgid`, from /proc; elsewhere whether the group has any member. */
function groupMembers(pgid: number): string[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [`group ${pgid}`];
    } catch {
      return [];
    }
  }
  const members: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z')
      members.push(`${pid} ${stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1)}`);
  }
  return members;
}

/**
 * Runs a benchmark script from the repo root in its own process group, as `npx tsx` would. Past the timeout the
 * group gets SIGTERM (the scripts then stop what they started) and, 10 s later, SIGKILL.
 */
function runBench(script: string, args: string[]): Promise<Run & { pgid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid!;
  running.add(pgid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  let timedOut = false;
  const term = setTimeout(() => {
    timedOut = true;
    signalGroup(pgid, 'SIGTERM');
  }, RUN_TIMEOUT_MS);
  const kill = setTimeout(() => signalGroup(pgid, 'SIGKILL'), RUN_TIMEOUT_MS + 10_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, timedOut, pgid });
    });
  });
}

/** Runs the bench, then checks that it ended by itself with 0 and that nothing it started outlived it. */
async function expectRunsToTheEnd(script: string, args: string[]): Promise<string> {
  const run = await runBench(script, args);
  // The child's stack frames stay out of the assertion message: vitest would try to source-map them (and fails
  // on tsx's own files). Its whole output goes to this test's stderr instead.
  const frames = /^\s+at .*$\n?/gm;
  const said = `\n--- stdout\n${run.stdout}\n--- stderr (tail, no stack frames)\n${run.stderr.replace(frames, '').slice(-4000)}`;
  if (run.code !== 0 || run.timedOut) console.error(`${script} ${args.join(' ')}:\n${run.stderr}`);
  // The benchmark stops its servers itself; give their exits a moment to be reaped, then insist.
  const left = await waitFor(
    'the benchmark to leave nothing running',
    () => groupMembers(run.pgid).length === 0,
    10_000,
  )
    .then(() => [])
    .catch(() => groupMembers(run.pgid));
  signalGroup(run.pgid, 'SIGKILL');
  running.delete(run.pgid);
  expect(run.timedOut, `${script} ran past ${RUN_TIMEOUT_MS} ms${said}`).toBe(false);
  expect(run.code, `${script} exited ${run.code ?? run.signal}${said}`).toBe(0);
  expect(left, `${script} left processes running`).toEqual([]);
  return run.stdout;
}

/** About a second of load per target, one round: enough to run every line of a benchmark. */
const TINY = ['--seconds', '1', '--rounds', '1'];

describe('every benchmark, in a tiny form', () => {
  it(
    'bench/api-read.ts measures a cached read, all hits, against both bare handlers and another checkout, and prints its table',
    async () => {
      // --compare with this very checkout: a second replica on the same Postgres and Redis, in the same rounds.
      const args = [...TINY, '--connections', '10', '--compare', '.'];
      const out = await expectRunsToTheEnd('bench/api-read.ts', args);
      expect(out).toMatch(row('bare Hono handler, same body'));
      expect(out).toMatch(row('bare Hono handler + one Redis GET (the cache-aside floor)'));
      expect(out).toMatch(row('cached GET /api/users/:id, one replica'));
      expect(out).toMatch(row('cached GET /api/users/:id, one replica of .'));
      expect(out).toMatch(/^cached \/ bare: [\d.]+%/m);
      expect(out).toMatch(/^server CPU µs\/request, this checkout minus \. .*: -?[\d.]+$/m);
    },
    RUN_TIMEOUT_MS + 20_000,
  );

  it('bench/api-read.ts refuses a --compare that is not a checkout and a bad --rate, exit 2 naming the flag', async () => {
    const run = await runBench('bench/api-read.ts', ['--compare', '/nonexistent-checkout']);
    running.delete(run.pgid);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--compare \/nonexistent-checkout is not a checkout of this repository/);
    const rate = await runBench('bench/api-read.ts', ['--rate', 'fast']);
    running.delete(rate.pgid);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be 0 \(as fast as it goes\) or a positive integer/);
  });

  it(
    'bench/gateway-overhead.ts reads one replica directly and through the rendered gateway, all hits, and prints its table',
    async () => {
      const out = await expectRunsToTheEnd('bench/gateway-overhead.ts', [...TINY, '--connections', '10']);
      expect(out).toMatch(row('direct'));
      expect(out).toMatch(row('through the gateway'));
      expect(out).toMatch(/^gateway \/ direct: [\d.]+ /m);
    },
    RUN_TIMEOUT_MS + 20_000,
  );

  it(
    'bench/ingest-worker.ts drains a pre-filled stream with per-event and batched inserts, 1 and 2 workers, and prints its table',
    async () => {
      // fsync off: a cluster initialised without syncing starts seconds sooner; the numbers are not judged here.
      const out = await expectRunsToTheEnd('bench/ingest-worker.ts', ['--events', '300', '--fsync', 'off']);
      for (const label of [
        'INSERT_MODE=single, 1 worker',
        'INSERT_MODE=batch, 1 worker',
        'INSERT_MODE=single, 2 workers',
        'INSERT_MODE=batch, 2 workers',
      ])
        expect(out).toMatch(row(label));
      expect(out).toMatch(/^batch \/ single, 1 worker: [\d.]+x/m);
    },
    RUN_TIMEOUT_MS + 20_000,
  );

  it(
    'packages/swarm/bench/throughput.ts runs every generator, Locust included, and prints its table',
    async () => {
      const out = await expectRunsToTheEnd('packages/swarm/bench/throughput.ts', TINY);
      // scripts/setup.sh installs Locust, so here a missing Locust fails the test instead of skipping its rows.
      const generators = [
        'autocannon',
        'undici dispatch (bare)',
        'swarm',
        'swarm (16 MB young generation)',
        'locust FastHttpUser',
        'locust HttpUser',
      ];
      for (const generator of generators) expect(out).toMatch(row(generator));
    },
    RUN_TIMEOUT_MS + 20_000,
  );

  it(
    'packages/swarm/bench/idle.ts runs idle users on Swarm (both young generations) and on bare undici and prints its table',
    async () => {
      const out = await expectRunsToTheEnd('packages/swarm/bench/idle.ts', [
        ...TINY,
        '--users',
        '200',
        '--spawn-rate',
        '1000',
        '--compare-young-generation',
      ]);
      expect(out).toMatch(
        /\| swarm \(rounds\) \| swarm, 16 MB young generation \(rounds\) \| bare undici \(rounds\) \|/,
      );
      expect(out).toMatch(row('peak RSS (MB)'));
      expect(out).toMatch(row('CPU (% of a core)'));
      expect(out).toMatch(row('event-loop lag p99, whole run (ms)'));
      expect(out).toMatch(row('requests'));
    },
    RUN_TIMEOUT_MS + 20_000,
  );
});
