import { describe, expect, it } from 'vitest';
import { memoUrlTemplate, urlTemplate } from './url-template';

describe('urlTemplate', () => {
  it.each([
    ['/users/42', '/users/:id'],
    ['/users/42?fields=name&x=1', '/users/:id'],
    ['/users?page=2', '/users'],
    ['/orders/7f0c2a8e-1b2c-4d3e-8f9a-0b1c2d3e4f5a/items/3', '/orders/:id/items/:id'],
    ['http://127.0.0.1:8080/users/9#top', '/users/:id'],
    ['http://example.com', '/'],
    ['/v2/users/me', '/v2/users/me'],
    ['/blobs/5f2b9c1d8e7a6b3c4d5e6f70', '/blobs/:id'],
    ['/', '/'],
  ])('%s → %s', (url, template) => {
    expect(urlTemplate(url)).toBe(template);
  });

  it('keeps words that merely look hexadecimal', () => {
    expect(urlTemplate('/feed/deadbeef')).toBe('/feed/deadbeef');
  });

  it('memoises and still answers after the memo is cleared', () => {
    const t = memoUrlTemplate(2);
    expect(t('/a/1')).toBe('/a/:id');
    expect(t('/b/2')).toBe('/b/:id');
    expect(t('/c/3')).toBe('/c/:id');
    expect(t('/a/1')).toBe('/a/:id');
  });
});
