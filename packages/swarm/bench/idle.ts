// Memory and event-loop lag of the engine with many mostly idle users (idle-visitors.ts: one GET, then 1–3 s of
// thinking), against nginx answering `return 200` on 127.0.0.1 (one worker on core 0). The engine runs as
// `swarm run` would for a user, unpinned (`--pin` puts it on core 1 with its GC helper threads, which then
// share that core). Reports, per round: peak RSS, the run's event-loop lag p99 and max (the engine's own numbers,
// as the report shows them, ramp included) and, for the seconds at full strength, the median and worst of the
// per-second lag p99. Each round also runs bare-idle.ts, the same visitors on bare undici Clients with no engine
// at all, measured by the same monitor: the floor that undici and Node set for that many connections.
// `--compare-young-generation` adds, in each round, the same run of `swarm` started with V8's default 16 MB
// semi-space (a Node flag of its own keeps it from relaunching with the larger one, bin/engine-process.js).
// Usage (from the repo root):
//   npx --no-install tsx packages/swarm/bench/idle.ts [--users 10000] [--spawn-rate 1000] [--seconds 60] [--rounds 3] [--pin]
//     [--compare-young-generation]
// CI runs it with `--users 200 --seconds 1 --rounds 1 --compare-young-generation` (bench/benches.test.ts) only to
// see it run to the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, pin, run, startNginx, V8_DEFAULT_YOUNG_GENERATION } from './support';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    'spawn-rate': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    pin: { type: 'boolean', default: false },
    'compare-young-generation': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

type Summary = {
  total: { requests: number };
  monitor: { maxRssMb: number; cpuPercent: number; eventLoopLagP99Ms: number; eventLoopLagMaxMs: number };
  timeSeries: Array<{ users: number; eventLoopLagMs?: number }>;
};

function roundOf(s: Summary): Round {
  const steady = s.timeSeries
    .filter((p) => p.users === users && p.eventLoopLagMs !== undefined)
    .map((p) => p.eventLoopLagMs!);
  return {
    rssMb: s.monitor.maxRssMb,
    cpu: s.monitor.cpuPercent,
    lagP99: s.monitor.eventLoopLagP99Ms,
    lagMax: s.monitor.eventLoopLagMaxMs,
    // A run too short to reach full strength (CI's tiny form) has no such seconds.
    steadyMedian: steady.length > 0 ? median(steady) : Number.NaN,
    steadyWorst: steady.length > 0 ? Math.max(...steady) : Number.NaN,
    requests: s.total.requests,
  };
}

interface Round {
  rssMb: number;
  /** The engine's CPU over the run, % of one core (GC included; the launcher, idle, is not in it). */
  cpu: number;
  lagP99: number;
  lagMax: number;
  steadyMedian: number;
  steadyWorst: number;
  requests: number;
}

const nginx = await startNginx(users);
const rounds: Round[] = [];
const small: Round[] = [];
const bare: Round[] = [];
/** One `swarm run` of the visitors, started with `nodeFlags`. */
async function swarm(json: string, nodeFlags: string[] = []): Promise<Round> {
  const argv = [process.execPath, ...nodeFlags, here('../bin/swarm.js'), 'run', '--headless'];
  argv.push(here('./idle-visitors.ts'), '-u', String(users), '-r', values['spawn-rate']);
  argv.push('-t', `${values.seconds}s`, '-H', nginx.url, '--json', json);
  await run(values.pin ? pin(1, argv) : argv);
  return roundOf(JSON.parse(readFileSync(json, 'utf8')) as Summary);
}
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const r = await swarm(join(nginx.dir, `idle-${i}.json`));
    rounds.push(r);
    process.stderr.write(`round ${i + 1} swarm: ${JSON.stringify(r)}\n`);
    if (values['compare-young-generation']) {
      const d = await swarm(join(nginx.dir, `idle-16-${i}.json`), V8_DEFAULT_YOUNG_GENERATION);
      small.push(d);
      process.stderr.write(`round ${i + 1} swarm, 16 MB young generation: ${JSON.stringify(d)}\n`);
    }
    const bareArgv = [process.execPath, '--import', 'tsx', here('./bare-idle.ts'), nginx.url, String(users)];
    bareArgv.push(values['spawn-rate'], values.seconds);
    const b = roundOf(JSON.parse(await run(values.pin ? pin(1, bareArgv) : bareArgv)) as Summary);
    bare.push(b);
    process.stderr.write(`round ${i + 1} bare undici: ${JSON.stringify(b)}\n`);
  }
} finally {
  await nginx.stop();
}
const col = (rs: Round[], pick: (r: Round) => number) =>
  rs.map((r) => (Number.isNaN(pick(r)) ? 'n/a' : pick(r))).join(' / ');
const compared = small.length > 0;
const row = (label: string, pick: (r: Round) => number) =>
  `| ${label} | ${col(rounds, pick)} |${compared ? ` ${col(small, pick)} |` : ''} ${col(bare, pick)} |\n`;
process.stdout.write(
  `| ${users} users, between(1, 3), ${values.seconds} s, spawn rate ${values['spawn-rate']}/s${values.pin ? ', on core 1' : ''} | swarm (rounds) |${compared ? ' swarm, 16 MB young generation (rounds) |' : ''} bare undici (rounds) |\n|---|---|${compared ? '---|' : ''}---|\n` +
    row('peak RSS (MB)', (r) => r.rssMb) +
    row('CPU (% of a core)', (r) => r.cpu) +
    row('event-loop lag p99, whole run (ms)', (r) => r.lagP99) +
    row('event-loop lag max, whole run (ms)', (r) => r.lagMax) +
    row('per-second lag p99 at full strength, median (ms)', (r) => r.steadyMedian) +
    row('per-second lag p99 at full strength, worst (ms)', (r) => r.steadyWorst) +
    row('requests', (r) => r.requests),
);
