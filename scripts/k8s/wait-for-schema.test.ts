import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './test-support';

// deploy/k8s/base/wait-for-schema.cjs as the init containers run it: `node <script>` from the API image's working
// directory (services/api), where it finds pg and the migrations' journal. With no database to reach it must say
// it waits (and keep waiting), never crash: here it is stopped after its first report.
describe('the schema wait of the API and worker pods', () => {
  it('loads pg and the journal from the working directory and reports that it waits', async () => {
    const child = spawn('node', [join(ROOT, 'deploy/k8s/base/wait-for-schema.cjs')], {
      cwd: join(ROOT, 'services/api'),
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report within 20 s: ${out}${err}`)), 20_000);
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited ${code} instead of waiting: ${out}${err}`));
        });
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(out).toMatch(/^waiting for the migration Job: .*ECONNREFUSED/);
    expect(err).toBe('');
  }, 30_000);
});
