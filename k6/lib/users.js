// The three user classes of scenarios/ as k6 functions: the same endpoints, task weights, waits and request
// names (k6 tags them `name`), and the same rules: a 412 on update is a conflict (refetch and retry), not a
// failure; the cache check fails unless the second read is a HIT.

import { sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';

export const cacheHit = new Rate('cache_hit');
export const cacheHitDuration = new Trend('cache_hit_duration', true);
export const cacheMissDuration = new Trend('cache_miss_duration', true);
export const replicaRequests = new Counter('replica_requests');
export const updateConflicts = new Counter('update_conflicts');
export const firstStageDuration = new Trend('first_stage_duration', true);
export const lastStageDuration = new Trend('last_stage_duration', true);

/** Task weights, the same numbers as the @task decorators of scenarios/. */
export const TASKS = {
  ScalingSystemUser: {
    gatewayHealth: 5,
    replicaHealth: 10,
    createUser: 15,
    getUser: 20,
    updateUser: 8,
    listUsers: 12,
    cacheCheck: 3,
    deleteUser: 2,
  },
  HighVolumeUser: { readHotUser: 10, health: 1 },
  AdminUser: { bulkCreate: 2, bulkLookup: 3, overview: 1 },
};
/** Seconds between tasks: [min, max], as `between(min, max)`. */
export const WAITS = { ScalingSystemUser: [1, 3], HighVolumeUser: [0.1, 0.5], AdminUser: [2, 5] };

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const RUN_ID = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
let serial = 0;
const email = () => `k6-${RUN_ID}-${exec.vu.idInTest}-${++serial}@example.test`;

function pick(weights) {
  const names = Object.keys(weights);
  const total = names.reduce((s, n) => s + weights[n], 0);
  let r = Math.random() * total;
  for (const n of names) {
    r -= weights[n];
    if (r < 0) return n;
  }
  return names[names.length - 1];
}

/** Records replica, cache and stage metrics of one response, as Swarm's statistics do. */
function observe(res, stageWindows) {
  const instance = res.headers['X-Instance'];
  if (instance) replicaRequests.add(1, { instance });
  const cache = res.headers['X-Cache'];
  if (cache === 'HIT' || cache === 'MISS') {
    cacheHit.add(cache === 'HIT');
    (cache === 'HIT' ? cacheHitDuration : cacheMissDuration).add(res.timings.duration);
  }
  if (stageWindows) {
    const t = (Date.now() - exec.scenario.startTime) / 1000;
    if (t < stageWindows.firstEnd) firstStageDuration.add(res.timings.duration);
    else if (t >= stageWindows.lastStart) lastStageDuration.add(res.timings.duration);
  }
  return res;
}

/** Builds the users for one run: `host`, the replica count, and (spike only) the first and last stage windows. */
export function makeUsers(host, replicas, stageWindows) {
  const get = (path, name, params = {}) =>
    observe(http.get(`${host}${path}`, { ...params, tags: { name } }), stageWindows);
  const send = (method, path, body, name, params = {}) =>
    observe(
      http.request(method, `${host}${path}`, body === null ? null : JSON.stringify(body), {
        ...params,
        headers: { ...JSON_HEADERS, ...(params.headers || {}) },
        tags: { name },
      }),
      stageWindows,
    );
  const mine = []; // [id, etag] of users this VU created (module state is per VU in k6)
  let replica = 0;
  const someId = (hot) =>
    mine.length > 0 && Math.random() < 0.5
      ? mine[Math.floor(Math.random() * mine.length)][0]
      : hot[Math.floor(Math.random() * hot.length)];

  const scaling = {
    gatewayHealth: () => get('/gateway-health', '/gateway-health'),
    replicaHealth: () => {
      replica = (replica % replicas) + 1;
      get(`/app${replica}/health`, '/appN/health');
    },
    createUser: () => {
      const res = send('POST', '/api/users', { email: email(), name: 'Scaling User' }, '/api/users', {
        responseCallback: http.expectedStatuses(201),
      });
      if (res.status === 201) mine.push([res.json('id'), res.headers.ETag]);
    },
    getUser: (hot) => get(`/api/users/${someId(hot)}`, '/api/users/:id'),
    updateUser: () => {
      if (mine.length === 0) return;
      const i = Math.floor(Math.random() * mine.length);
      let [id, etag] = mine[i];
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = send(
          'PATCH',
          `/api/users/${id}`,
          { name: `renamed ${Math.random()}` },
          '/api/users/:id',
          {
            headers: { 'If-Match': etag || '*' },
            responseCallback: http.expectedStatuses(200, 412),
          },
        );
        if (res.status !== 412) {
          if (res.status === 200) mine[i] = [id, res.headers.ETag];
          return;
        }
        updateConflicts.add(1);
        etag = get(`/api/users/${id}`, '/api/users/:id').headers.ETag;
      }
    },
    listUsers: () => get('/api/users?limit=20', '/api/users'),
    cacheCheck: (hot) => {
      const id = someId(hot);
      get(`/api/users/${id}`, '/api/users/:id');
      get(`/api/users/${id}`, '/api/users/:id [cache check]', {
        responseCallback: http.expectedStatuses(200),
      });
    },
    deleteUser: () => {
      const last = mine.pop();
      if (last) send('DELETE', `/api/users/${last[0]}`, null, '/api/users/:id');
    },
  };
  const highVolume = {
    readHotUser: (hot) => get(`/api/users/${hot[Math.floor(Math.random() * hot.length)]}`, '/api/users/:id'),
    health: () => get('/health', '/health'),
  };
  const admin = {
    bulkCreate: () => {
      const users = Array.from({ length: 50 }, () => ({ email: email(), name: 'bulk' }));
      send('POST', '/api/users/bulk', { users }, '/api/users/bulk', {
        responseCallback: http.expectedStatuses(201),
      });
    },
    bulkLookup: (hot) => send('POST', '/api/users/lookup', { ids: hot.slice(0, 50) }, '/api/users/lookup'),
    overview: () => get('/api/system/overview', '/api/system/overview'),
  };
  const behaviours = { ScalingSystemUser: scaling, HighVolumeUser: highVolume, AdminUser: admin };

  /** One iteration of a user class: one weighted task, then its wait. */
  return (cls, hot) => {
    behaviours[cls][pick(TASKS[cls])](hot);
    const [min, max] = WAITS[cls];
    sleep(min + Math.random() * (max - min));
  };
}

/** Creates the hot set with one bulk request before the load starts (k6's setup, outside the measured VUs). */
export function seedHotSet(host, size = 100) {
  const users = Array.from({ length: size }, (_, i) => ({
    email: `k6-${RUN_ID}-hot-${i}@example.test`,
    name: `hot ${i}`,
  }));
  const res = http.post(`${host}/api/users/bulk`, JSON.stringify({ users }), { headers: JSON_HEADERS });
  if (res.status !== 201)
    throw new Error(`the stack is not answering: POST /api/users/bulk gave ${res.status}`);
  return res.json('items').map((u) => u.id);
}
