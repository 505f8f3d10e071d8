// The floor for idle.ts: N undici Clients (one keep-alive connection each, as N users), each sending one GET and
// then sleeping 1–3 s on its own setTimeout, spawned at the same rate, measured by the same engine monitor.
// No engine logic at all: what is left is undici's and Node's cost of that many connections.
// Usage: bare-idle.ts URL USERS SPAWN_RATE SECONDS   (prints one JSON line like idle.ts reads from swarm)
import { Client } from 'undici';
import { startEngineMonitor } from '../src/monitor/engine-monitor';

const [url = 'http://127.0.0.1:8080', usersArg = '10000', rateArg = '1000', secondsArg = '60'] =
  process.argv.slice(2);
const users = Number(usersArg);
const spawnRate = Number(rateArg);
const monitor = startEngineMonitor();
const endAt = performance.now() + Number(secondsArg) * 1000;
let requests = 0;
let spawned = 0;
const perSecond: Array<{ users: number; eventLoopLagMs: number }> = [];

function visitor(client: Client): void {
  const think = () => setTimeout(visit, 1000 + Math.random() * 2000);
  const visit = () => {
    if (performance.now() >= endAt) return void client.close();
    client.dispatch(
      { method: 'GET', path: '/' },
      {
        onConnect() {},
        onHeaders: () => true,
        onData: () => true,
        onComplete() {
          requests++;
          think();
        },
        onError: think,
      },
    );
  };
  visit();
}

const spawner = setInterval(() => {
  for (let k = 0; k < spawnRate / 10 && spawned < users; k++, spawned++) {
    visitor(new Client(url, { pipelining: 1 }));
  }
  if (spawned >= users) clearInterval(spawner);
}, 100);
const sampler = setInterval(() => {
  perSecond.push({ users: spawned, eventLoopLagMs: monitor.sample().lagMs });
}, 1000);
setTimeout(() => {
  clearInterval(sampler);
  const m = monitor.stop();
  process.stdout.write(`${JSON.stringify({ total: { requests }, monitor: m, timeSeries: perSecond })}\n`);
  process.exit(0);
}, Number(secondsArg) * 1000);
