import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv, loadMigrateEnv } from './env';

const base = {
  PORT: '8001',
  INSTANCE_ID: 'app1',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    expect(loadEnv(base)).toMatchObject({
      PORT: 8001,
      HOST: '127.0.0.1',
      PG_POOL_MAX: 10,
      PG_POOL_TIMEOUT_MS: 2000,
      CACHE_TTL_S: 300,
      LOG_LEVEL: 'info',
      KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ ...base, PG_POOL_MAX: '' }).PG_POOL_MAX).toBe(10);
  });

  it('names every bad setting with what it got', () => {
    const bad = { ...base, PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PG_POOL_MAX: '0' };
    let error: unknown;
    try {
      loadEnv(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join('\n');
    expect(problems).toMatch(/^PORT: .*got "eighty"/m);
    expect(problems).toMatch(/^DATABASE_URL: must be a URL starting with postgres:\/\//m);
    expect(problems).toMatch(/^LOG_LEVEL: .*debug.*got "loud"/m);
    expect(problems).toMatch(/^PG_POOL_MAX: .*got "0"/m);
  });

  it('takes PG_TRANSACTION_POOLING on or off (off by default), and names it otherwise', () => {
    expect(loadEnv(base).PG_TRANSACTION_POOLING).toBe('off');
    expect(loadEnv({ ...base, PG_TRANSACTION_POOLING: 'on' }).PG_TRANSACTION_POOLING).toBe('on');
    expect(() => loadEnv({ ...base, PG_TRANSACTION_POOLING: 'yes' })).toThrow(
      /PG_TRANSACTION_POOLING: .*"on"\|"off".*\(got "yes"\)/,
    );
  });

  it('says when a required setting is missing', () => {
    expect(() => loadEnv({ ...base, INSTANCE_ID: undefined })).toThrow(/INSTANCE_ID: .*\(not set\)/);
  });

  it('reads only DATABASE_URL for migrations', () => {
    expect(loadMigrateEnv({ DATABASE_URL: base.DATABASE_URL })).toEqual({ DATABASE_URL: base.DATABASE_URL });
    expect(() => loadMigrateEnv({})).toThrow(/DATABASE_URL/);
  });
});
