// What the engine adds to each request, in CPU time, without sockets: every user's connection is a fake
// dispatcher that answers 200 "ok" (nginx's header list) on the next turn of the event loop, in batches as real
// I/O arrives. Rounds alternate between 50 zero-wait Swarm users and a bare dispatch loop on the same fake, each
// in its own process pinned to core 1; the table is CPU µs per request after a 2 s warm-up, median and min.
// The machine's other load slows both alike, so their difference stays readable when a throughput bench is not.
// Usage (from the repo root): npx tsx packages/swarm/bench/engine-cost.ts [--seconds 6] [--rounds 5]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, pin } from './support';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '5' },
    child: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const WARM_S = 2;
/** The warm-up's cost: CPU per request over the first FIRST requests of a run (JIT, user spawn, first ticks). */
const FIRST = 20_000;

type Handler = {
  onConnect(abort: () => void): void;
  onHeaders(status: number, headers: Buffer[], resume: () => void, text: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[]): void;
};
const HEADERS = ['Server', 'nginx/1.22.1', 'Date', 'Tue, 01 Dec 2026 22:00:00 GMT', 'Content-Type']
  .concat(['text/plain', 'Content-Length', '2', 'Connection', 'keep-alive'])
  .map((h) => Buffer.from(h));
const noop = () => {};
let queue: Handler[] = [];
let scheduled = false;
function answerAll(): void {
  scheduled = false;
  const q = queue;
  queue = [];
  for (const h of q) {
    h.onHeaders(200, HEADERS.slice(), noop, 'OK');
    h.onData(Buffer.from('ok'));
    h.onComplete([]);
  }
}
const fake = {
  dispatch(_options: unknown, h: Handler): boolean {
    h.onConnect(noop);
    queue.push(h);
    if (!scheduled) {
      scheduled = true;
      setImmediate(answerAll);
    }
    return true;
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
};

/** Runs one mode in this process and prints {cpuUsPerReq} for the time after the warm-up. */
async function child(mode: string): Promise<void> {
  let count = 0;
  let mark = { count: 0, cpu: process.cpuUsage() };
  let start = process.cpuUsage();
  let first = 0;
  const counted = () => {
    if (++count !== FIRST) return;
    const cpu = process.cpuUsage(start);
    first = cpu.user + cpu.system;
  };
  setTimeout(() => {
    mark = { count, cpu: process.cpuUsage() };
  }, WARM_S * 1000);
  // Requests per 250 ms over the warm-up (SWARM_BENCH_CURVE=1): how fast the engine gets up to speed.
  const curve: number[] = [];
  if (process.env.SWARM_BENCH_CURVE) {
    let last = 0;
    const every = setInterval(() => {
      curve.push(count - last);
      last = count;
      if (curve.length === WARM_S * 4) clearInterval(every);
    }, 250);
  }
  if (mode === 'bare') {
    start = process.cpuUsage();
    const deadline = performance.now() + seconds * 1000;
    const loop = () =>
      new Promise<void>((resolve) => {
        const once = () => {
          if (performance.now() >= deadline) return resolve();
          const start = performance.now();
          fake.dispatch(null, {
            onConnect() {},
            onHeaders: () => true,
            onData: () => true,
            onComplete() {
              counted();
              void (performance.now() - start);
              once();
            },
          });
        };
        once();
      });
    await Promise.all(Array.from({ length: 50 }, loop));
  } else {
    const { Events, HttpUser, runSwarm, task } = await import('swarmgate-swarm');
    class Hammer extends HttpUser {
      constructor(env: ConstructorParameters<typeof HttpUser>[0]) {
        super(env);
        // The client's one connection (a private field) is the fake: everything above it is the engine's.
        Object.assign(this.client as unknown as object, { main: fake, mainOrigin: 'http://127.0.0.1:9' });
      }
      @task async hit() {
        await this.client.get('/');
      }
    }
    const events = new Events();
    events.request.add(counted);
    start = process.cpuUsage();
    await runSwarm({
      classes: [Hammer],
      host: 'http://127.0.0.1:9',
      users: 50,
      spawnRate: 1e5,
      runTimeS: seconds,
      events,
    });
  }
  const cpu = process.cpuUsage(mark.cpu);
  process.stdout.write(
    `${JSON.stringify({ cpuUsPerReq: (cpu.user + cpu.system) / (count - mark.count), firstUsPerReq: first / FIRST, ...(curve.length > 0 && { curve }) })}\n`,
  );
}

if (values.child !== undefined) {
  await child(values.child);
} else {
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, number[]> = { bare: [], swarm: [] };
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of Object.keys(results)) {
      const argv = pin(1, [
        process.execPath,
        '--import',
        'tsx',
        self,
        '--child',
        mode,
        '--seconds',
        String(seconds),
      ]);
      const out = await new Promise<string>((resolve, reject) => {
        const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        c.stdout.on('data', (d) => {
          text += d;
        });
        c.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${mode} exited ${code}`))));
      });
      const us = (JSON.parse(out) as { cpuUsPerReq: number }).cpuUsPerReq;
      results[mode]!.push(us);
      process.stderr.write(`round ${round + 1} ${mode}: ${us.toFixed(2)} µs/request\n`);
    }
  }
  process.stdout.write('| fake connection, 50 users | CPU µs/request, median | min |\n|---|---|---|\n');
  for (const [mode, xs] of Object.entries(results)) {
    process.stdout.write(`| ${mode} | ${median(xs).toFixed(2)} | ${Math.min(...xs).toFixed(2)} |\n`);
  }
}
