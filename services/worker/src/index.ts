import { EnvError, loadWorkerEnv } from './env';
import { startWorker } from './worker';

let env: ReturnType<typeof loadWorkerEnv>;
try {
  env = loadWorkerEnv();
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  console.error(`worker: ${err.message}`);
  process.exit(1);
}

try {
  const worker = await startWorker(env);
  const stop = (signal: string) => {
    console.log(JSON.stringify({ level: 'info', instance: env.WORKER_NAME, msg: `received ${signal}` }));
    worker.shutdown().then(
      (outcome) => process.exit(outcome === 'clean' ? 0 : 1),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  const reason =
    e.code === 'EADDRINUSE' ? `port ${env.WORKER_PORT} on ${env.WORKER_HOST} is already in use` : e.message;
  console.error(`worker: cannot start ${env.WORKER_NAME}: ${reason}`);
  process.exit(1);
}
