import { EnvError, loadEnv } from './env';
import { startServer } from './server';

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  console.error(`api: ${err.message}`);
  process.exit(1);
}

try {
  const running = await startServer(env);
  const stop = (signal: string) => {
    console.log(JSON.stringify({ level: 'info', instance: env.INSTANCE_ID, msg: `received ${signal}` }));
    running.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  const reason = e.code === 'EADDRINUSE' ? `port ${env.PORT} on ${env.HOST} is already in use` : e.message;
  console.error(`api: cannot start ${env.INSTANCE_ID}: ${reason}`);
  process.exit(1);
}
