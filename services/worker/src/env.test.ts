import { describe, expect, it } from 'vitest';
import { EnvError, loadWorkerEnv } from './env';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadWorkerEnv', () => {
  it('fills in the defaults', () => {
    const env = loadWorkerEnv(base);
    expect(env).toMatchObject({
      WORKER_BATCH_SIZE: 100,
      WORKER_BLOCK_MS: 1000,
      WORKER_CLAIM_IDLE_MS: 5000,
      WORKER_INSERT_DELAY_MS: 0,
      INSERT_MODE: 'batch',
      INGEST_STREAM: 'events',
      INGEST_GROUP: 'ingest',
      LOG_LEVEL: 'info',
    });
    expect(env.WORKER_NAME).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('names every bad setting with what it accepts', () => {
    try {
      loadWorkerEnv({
        ...base,
        REDIS_URL: 'http://x',
        WORKER_BATCH_SIZE: '20000',
        INSERT_MODE: 'fast',
        WORKER_NAME: 'a b',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      const text = (err as EnvError).message;
      expect(text).toMatch(
        /REDIS_URL: must be a URL starting with redis:\/\/ or rediss:\/\/ \(got "http:\/\/x"\)/,
      );
      expect(text).toMatch(/WORKER_BATCH_SIZE: .*10000.*\(got "20000"\)/);
      expect(text).toMatch(/INSERT_MODE: .*"batch".*"single"/);
      expect(text).toMatch(/WORKER_NAME: must be 1-100 letters/);
    }
  });

  it('reads an empty variable as not set', () => {
    expect(loadWorkerEnv({ ...base, WORKER_BATCH_SIZE: '' }).WORKER_BATCH_SIZE).toBe(100);
  });
});
