import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { startService } from '../../../scripts/lib/process';

const DOWNSTREAM_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The downstream service as its own process (node + tsx, no npm in between), on a free port once /health answers. */
export async function startDownstream(env: Record<string, string> = {}) {
  const port = await freePort();
  const service = startService('downstream', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: DOWNSTREAM_DIR,
    // HOST: the bind address, whatever a shell exported (load_test.sh reads HOST as its target URL).
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor('the downstream service to answer', async () => (await fetch(`${base}/health`)).ok, 20_000);
  } catch (err) {
    await service.stop('SIGKILL');
    throw new Error(`${(err as Error).message}\n${service.output()}`);
  }
  /** Changes its behaviour through the admin endpoint, as the fault command does. */
  const behave = async (change: Record<string, number>) => {
    const res = await fetch(`${base}/admin/behaviour`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    if (!res.ok) throw new Error(`PUT /admin/behaviour: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { service, port, base, behave };
}
