import { createConnection } from 'node:net';
import { waitFor } from './ports';
import { type Service, startService } from './process';

/** Answers true when a Redis server on `port` replies PONG. */
export function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.write('PING\r\n');
  });
}

export interface RedisOptions {
  port: number;
  /** Working directory; with `persist` false nothing is written there. */
  dir: string;
  persist?: boolean;
}

/** Starts redis-server on 127.0.0.1:`port` in the foreground and waits until it answers PING. */
export async function startRedis({ port, dir, persist = false }: RedisOptions): Promise<Service> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    persist ? '60 1000' : '',
  ];
  args.push('--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning');
  const service = startService('redis', '/usr/bin/redis-server', args, { aptPackage: 'redis-server' });
  try {
    await waitFor(`redis on port ${port}`, async () => {
      if (service.child.exitCode !== null) throw new Error(`redis-server exited:\n${service.output()}`);
      return redisPing(port);
    });
  } catch (err) {
    await service.stop('SIGKILL');
    throw err;
  }
  return service;
}
