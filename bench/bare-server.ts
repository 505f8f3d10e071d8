// The baselines for bench/api-read.ts: a bare Hono handler on @hono/node-server that answers the same JSON body a
// cached user read answers, with none of the replica's middleware, validation or metrics. With REDIS_URL set it
// first reads that body from Redis (one GET, as a cache hit must), which is the floor for any cache-aside read.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT);
const body = process.env.BODY ?? '{}';
const app = new Hono();

if (process.env.REDIS_URL) {
  const redis = new Redis(process.env.REDIS_URL, { enableAutoPipelining: true });
  await redis.set('bench:body', body);
  app.get('/user', async (c) => {
    c.header('Content-Type', 'application/json');
    return c.body((await redis.get('bench:body')) ?? '');
  });
} else {
  app.get('/user', (c) => {
    c.header('Content-Type', 'application/json');
    return c.body(body);
  });
}
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`bare listening on ${port}`));
