import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('has defaults for all but the port', () => {
    expect(loadEnv({ PORT: '8500' })).toMatchObject({
      PORT: 8500,
      INSTANCE_ID: 'downstream',
      LATENCY_MS: 10,
      JITTER_MS: 5,
      ERROR_RATE: 0,
    });
  });

  it('names every bad setting', () => {
    try {
      loadEnv({ PORT: 'x', ERROR_RATE: '1.5', LATENCY_MS: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      const message = (err as Error).message;
      expect(message).toMatch(/PORT: .*got "x"/);
      expect(message).toMatch(/ERROR_RATE: .*got "1.5"/);
      expect(message).toMatch(/LATENCY_MS: .*got "-1"/);
    }
  });
});
