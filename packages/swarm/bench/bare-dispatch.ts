// The floor the engine is measured against: N undici Clients (one connection each, like N users) driven through
// `dispatch` with a handler that only records the latency. Usage: bare-dispatch.ts URL CONNECTIONS SECONDS
import { Client } from 'undici';

const [url = 'http://127.0.0.1:8080', connections = '50', seconds = '5'] = process.argv.slice(2);
const deadline = performance.now() + Number(seconds) * 1000;
let done = 0;
const latencies: number[] = [];

function loop(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const once = () => {
      if (performance.now() >= deadline) return resolve();
      const start = performance.now();
      client.dispatch(
        { method: 'GET', path: '/' },
        {
          onConnect() {},
          onHeaders: () => true,
          onData: () => true,
          onComplete() {
            done++;
            if (latencies.length < 100_000) latencies.push(performance.now() - start);
            once();
          },
          onError() {
            once();
          },
        },
      );
    };
    once();
  });
}

const clients = Array.from({ length: Number(connections) }, () => new Client(url, { pipelining: 1 }));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(clients.map(loop));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await Promise.all(clients.map((c) => c.close()));
// CPU per request (this process, all threads): what the loop costs, whatever else the machine is doing.
const cpuUsPerReq = (cpu.user + cpu.system) / done;
process.stdout.write(`${JSON.stringify({ requests: done, rps: done / elapsed, cpuUsPerReq })}\n`);
