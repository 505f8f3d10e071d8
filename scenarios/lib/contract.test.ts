import { describe, expect, it } from 'vitest';
import { ContractError } from './contract';
import type { Answer } from './http';

const answer = (status: number, text: string, headers: Record<string, string> = {}): Answer => ({
  status,
  origin: 'http://127.0.0.1:8080',
  requestId: 'swarmgate-setup-abc',
  headers,
  text,
  json: () => JSON.parse(text),
});

describe('ContractError', () => {
  it('names the endpoint, the statuses and where the request went, not what the target answered', () => {
    const err = new ContractError('GET /health', answer(500, '<html>admin panel token=SECRET</html>'), 200);
    expect(err.message).toBe(
      'contract: GET /health answered 500, expected 200, at http://127.0.0.1:8080 (X-Request-ID swarmgate-setup-abc)',
    );
    expect(err.message).not.toContain('SECRET');
  });

  it('says why a 200 did not do', () => {
    const err = new ContractError(
      'GET /app1/health',
      answer(200, 'ok'),
      200,
      'X-Instance was app2, not app1',
    );
    expect(err.message).toMatch(
      /^contract: GET \/app1\/health answered 200, expected 200 \(X-Instance was app2/,
    );
  });
});
