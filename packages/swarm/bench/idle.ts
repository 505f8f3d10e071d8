// Memory and event-loop lag of the engine with many mostly idle users (idle-visitors.ts: one GET, then 1–3 s of
// thinking), against nginx answering `return 200` on 127.0.0.1 (one worker on core 0). The engine runs as
// `swarm run` would for a user, unpinned (`--pin` puts it on core 1 with its GC helper threads, which then
// share that core). Reports, per round: peak RSS, the run's event-loop lag p99 and max (the engine's own numbers,
// as the report shows them, ramp included) and, for the seconds at full strength, the median and worst of the
// per-second lag p99.
// Usage (from the repo root):
//   npx --no-install tsx packages/swarm/bench/idle.ts [--users 10000] [--spawn-rate 1000] [--seconds 60] [--rounds 3] [--pin]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, pin, run, startNginx } from './support';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    'spawn-rate': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    pin: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Round {
  rssMb: number;
  lagP99: number;
  lagMax: number;
  steadyMedian: number;
  steadyWorst: number;
  requests: number;
}

const nginx = await startNginx(users);
const rounds: Round[] = [];
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const json = join(nginx.dir, `idle-${i}.json`);
    const argv = [process.execPath, here('../bin/swarm.js'), 'run', '--headless', here('./idle-visitors.ts')];
    argv.push('-u', String(users), '-r', values['spawn-rate'], '-t', `${values.seconds}s`);
    argv.push('-H', nginx.url, '--json', json);
    await run(values.pin ? pin(1, argv) : argv);
    const s = JSON.parse(readFileSync(json, 'utf8')) as {
      total: { requests: number };
      monitor: { maxRssMb: number; eventLoopLagP99Ms: number; eventLoopLagMaxMs: number };
      timeSeries: Array<{ users: number; eventLoopLagMs?: number }>;
    };
    const steady = s.timeSeries
      .filter((p) => p.users === users && p.eventLoopLagMs !== undefined)
      .map((p) => p.eventLoopLagMs!);
    const r: Round = {
      rssMb: s.monitor.maxRssMb,
      lagP99: s.monitor.eventLoopLagP99Ms,
      lagMax: s.monitor.eventLoopLagMaxMs,
      steadyMedian: median(steady),
      steadyWorst: Math.max(...steady),
      requests: s.total.requests,
    };
    rounds.push(r);
    process.stderr.write(`round ${i + 1}: ${JSON.stringify(r)}\n`);
  }
} finally {
  nginx.stop();
}
const col = (pick: (r: Round) => number) => rounds.map(pick).join(' / ');
process.stdout.write(
  `| ${users} users, between(1, 3), ${values.seconds} s, spawn rate ${values['spawn-rate']}/s${values.pin ? ', engine on core 1' : ''} | rounds |\n|---|---|\n` +
    `| peak RSS (MB) | ${col((r) => r.rssMb)} |\n` +
    `| event-loop lag p99, whole run (ms) | ${col((r) => r.lagP99)} |\n` +
    `| event-loop lag max, whole run (ms) | ${col((r) => r.lagMax)} |\n` +
    `| per-second lag p99 at full strength, median (ms) | ${col((r) => r.steadyMedian)} |\n` +
    `| per-second lag p99 at full strength, worst (ms) | ${col((r) => r.steadyWorst)} |\n` +
    `| requests | ${col((r) => r.requests)} |\n`,
);
