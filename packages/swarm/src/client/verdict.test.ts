import { describe, expect, it } from 'vitest';
import { errorText, verdict } from './verdict';

describe('verdict', () => {
  it('fails 4xx and 5xx by default, except 429', () => {
    expect(verdict(200, undefined)).toBeNull();
    expect(verdict(302, undefined)).toBeNull();
    expect(verdict(404, undefined)).toBe('HTTP 404');
    expect(verdict(500, undefined)).toBe('HTTP 500');
    expect(verdict(429, undefined)).toBeNull();
  });

  it('follows an explicit expectation', () => {
    expect(verdict(404, 404)).toBeNull();
    expect(verdict(200, 201)).toBe('HTTP 200 (expected 201)');
    expect(verdict(409, [201, 409])).toBeNull();
    expect(verdict(500, [201, 409])).toBe('HTTP 500 (expected 201 or 409)');
  });
});

describe('errorText', () => {
  it('adds the code when the message lacks it', () => {
    const e = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(errorText(e)).toBe('UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(errorText(refused)).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(errorText('x')).toBe('x');
  });
});
