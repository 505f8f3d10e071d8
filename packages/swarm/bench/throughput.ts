// Throughput of the engine against autocannon and a bare undici dispatch loop, all against nginx answering
// `return 200` on 127.0.0.1 (one worker pinned to core 0), each generator pinned to core 1, same connections.
// Usage (from the repo root): npx tsx packages/swarm/bench/throughput.ts [--seconds 10] [--connections 50] [--rounds 3]
// CI runs it with `--seconds 1 --rounds 1` (bench/benches.test.ts) only to see it run to the end.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { has, median, pin, run, startNginx, V8_DEFAULT_YOUNG_GENERATION } from './support';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    // A comma-separated subset of the generators (e.g. `autocannon,swarm`); default: all of them.
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const nginx = await startNginx();
const { url, dir } = nginx;

const tools: Record<string, () => Promise<number>> = {
  autocannon: async () => {
    const bin = here('../../../node_modules/autocannon/autocannon.js');
    const out = await run(
      pin(1, [process.execPath, bin, '-j', '-c', String(connections), '-d', String(seconds), url]),
    );
    const r = JSON.parse(out) as { requests: { total: number }; duration: number };
    return r.requests.total / r.duration;
  },
  'undici dispatch (bare)': async () => {
    const script = here('./bare-dispatch.ts');
    const out = await run(
      pin(1, [process.execPath, '--import', 'tsx', script, url, String(connections), String(seconds)]),
    );
    return (JSON.parse(out) as { rps: number }).rps;
  },
  swarm: () => swarm([]),
  // The same without the engine's warm-up before its clock (README, "The engine's warm-up"): what it buys.
  'swarm --no-warm-up': () => swarm(['--no-warm-up']),
  // Started with a Node flag of its own, `swarm` is the engine itself (no relaunch) with V8's default 16 MB
  // semi-space: what the engine's larger young generation (bin/engine-process.js) does to a zero-wait run.
  'swarm (16 MB young generation)': () => swarm([], V8_DEFAULT_YOUNG_GENERATION),
};

/** Swarm's rate over its own clock, with `extra` flags (and Node's `nodeFlags`); its per-second counts on stderr. */
async function swarm(extra: string[], nodeFlags: string[] = []): Promise<number> {
  const json = join(dir, 'swarm.json');
  // --only-summary as Locust's rows have it, and as autocannon -j runs: no progress printed during the round.
  const args = [
    'run',
    '--headless',
    '--only-summary',
    ...extra,
    here('./zero-wait.ts'),
    '-u',
    String(connections),
    '-r',
    '100000',
    '-t',
    `${seconds}s`,
  ];
  await run(
    pin(1, [process.execPath, ...nodeFlags, here('../bin/swarm.js'), ...args, '-H', url, '--json', json]),
  );
  const s = JSON.parse(readFileSync(json, 'utf8')) as {
    total: { requests: number };
    durationS: number;
    timeSeries: { requests: number }[];
  };
  // Its clock and each second's count (the first and last seconds are partial): where a round lost its time.
  const perSecond = s.timeSeries.map((p) => p.requests).join(' ');
  process.stderr.write(
    `swarm${[...nodeFlags, ...extra].map((a) => ` ${a}`).join('')}: ${s.total.requests} requests in ${s.durationS} s; per second ${perSecond}\n`,
  );
  return s.total.requests / s.durationS;
}

// Locust (Debian's python3-locust, one process, gevent) with zero wait, FastHttpUser and HttpUser.
const LOCUSTFILE = `from locust import FastHttpUser, HttpUser, constant, task
class Fast(FastHttpUser):
    wait_time = constant(0)
    @task
    def get(self):
        self.client.get("/")
class Plain(HttpUser):
    wait_time = constant(0)
    @task
    def get(self):
        self.client.get("/")
`;
// Locust is a peer scripts/setup.sh installs; without it the table says so rather than dropping its rows.
const skipped: string[] = [];
if (!has('locust')) skipped.push('locust FastHttpUser', 'locust HttpUser');
else {
  const locust = (cls: string) => async () => {
    writeFileSync(join(dir, 'locustfile.py'), LOCUSTFILE);
    const args = ['locust', '-f', join(dir, 'locustfile.py'), '--headless', '--only-summary', cls];
    args.push('-u', String(connections), '-r', String(connections), '-t', `${seconds}s`, '-H', url);
    // The summary table goes to stderr with the log; its Aggregated row ends with req/s and failures/s.
    const out = await new Promise<string>((resolve) => {
      const [cmd, ...rest] = pin(1, args);
      const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
      });
      child.stderr.on('data', (d) => {
        text += d;
      });
      child.on('exit', () => resolve(text));
    });
    const row = /^\s+Aggregated\s+\d+\s+\S+\s+\|[^|]+\|\s+([\d.]+)/m.exec(out);
    if (!row) throw new Error(`no summary from locust ${cls}:\n${out.slice(-2000)}`);
    return Number(row[1]);
  };
  tools['locust FastHttpUser'] = locust('Fast');
  tools['locust HttpUser'] = locust('Plain');
}

if (values.only !== undefined) {
  const wanted = values.only.split(',').map((n) => n.trim());
  for (const name of wanted) if (!(name in tools)) throw new Error(`--only: no generator named "${name}"`);
  for (const name of Object.keys(tools)) if (!wanted.includes(name)) delete tools[name];
  skipped.length = 0;
}
const results: Record<string, number[]> = Object.fromEntries(Object.keys(tools).map((n) => [n, []]));
try {
  const order = Object.entries(tools);
  for (let round = 0; round < rounds; round++) {
    // Each round starts with the next generator (autocannon first in round 1, then second, ...): none always runs
    // right after nginx started or after the same neighbour.
    const turn = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const [name, measure] of turn) {
      const rps = await measure();
      results[name]!.push(rps);
      const load = loadavg()[0]!.toFixed(1);
      process.stderr.write(`round ${round + 1} ${name}: ${Math.round(rps)} req/s (load average ${load})\n`);
    }
  }
} finally {
  await nginx.stop();
}
const base = results.autocannon;
// Besides the ratio of medians, each round's own ratio (the generators of one round saw the same machine): their
// median and range say how far a single figure can be trusted on a shared machine.
const perRound = (xs: number[]) => (base === undefined ? [] : xs.map((x, i) => x / base[i]!));
process.stdout.write(
  `| generator (${connections} connections, ${seconds}s, median of ${rounds}) | req/s | × autocannon | × autocannon per round: median (range) |\n|---|---|---|---|\n`,
);
for (const [name, xs] of Object.entries(results)) {
  const ratio = base === undefined ? '' : (median(xs) / median(base)).toFixed(2);
  const r = perRound(xs);
  const spread =
    r.length === 0
      ? ''
      : `${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`;
  process.stdout.write(`| ${name} | ${Math.round(median(xs))} | ${ratio} | ${spread} |\n`);
}
for (const name of skipped) {
  process.stdout.write(`| ${name} | skipped: not installed (apt-get install -y python3-locust) | | |\n`);
}
