// The ingest mode for k6, as the reference ran it: a ramp to TARGET_VUS over the first fifth of the run, a hold,
// a ramp down (one ramping-vus scenario); each VU posts three single events to one batch of 20, every event tagged
// with the run id. k6 counts the events answered 202 (ingest_accepted); whether each is in Postgres exactly once
// is judged after k6 exits by ./load_test.sh --engine k6 ingest (scenarios/run-mode.ts: the drain, then the run's
// rows counted by run id against the accepted count), because k6 cannot reach Postgres or Redis.
//
//   k6 run -e TARGET_VUS=50 -e RUN_TIME=2m -e RUN_ID=my-run -e HOST=http://127.0.0.1:8080 k6/ingest.js
//   ./load_test.sh --engine k6 ingest
import { sleep } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { profile, seconds } from './lib/profile.js';

const p = profile('ingest');
const env = typeof __ENV === 'undefined' ? {} : __ENV;
const TARGET_VUS = env.TARGET_VUS ? Number(env.TARGET_VUS) : p.ramp.targetVus;
if (!Number.isInteger(TARGET_VUS) || TARGET_VUS < 1)
  throw new Error(
    `TARGET_VUS: must be a whole number of users from 1 (got ${JSON.stringify(env.TARGET_VUS)})`,
  );
const RUN_ID = env.RUN_ID || `k6-ingest-${Date.now()}`;
export const BATCH = 20;
// The name tags: Swarm's entries (and the profile's thresholds) prefix them with the method, POST /api/events.
const SINGLE = '/api/events';
const BATCHED = '/api/events/batch';

/** The reference's shape, as scenarios/lib/ingest-plan.ts builds it for Swarm: fifths of the run time. */
export function rampHoldStages(targetVus, runTime) {
  const total = Math.round(seconds(runTime));
  const fifth = Math.max(1, Math.round(total / 5));
  const hold = Math.max(1, total - 2 * fifth);
  return [
    { duration: `${fifth}s`, target: targetVus },
    { duration: `${hold}s`, target: targetVus },
    { duration: `${fifth}s`, target: 0 },
  ];
}

/**
 * The profile's thresholds k6 can judge: p(95) of each POST (by its name tag) and the failure rate. The
 * exactly-once criteria (ingest_missing, ingest_duplicates, drain_s) are judged after the run, from Postgres.
 */
export function ingestThresholds(list) {
  const thresholds = {};
  const afterRun = [];
  for (const t of list) {
    // `p(95){POST /api/events}<500`: the entry's method and name; k6's name tag is the name alone.
    const named = /^(p\(\d+(?:\.\d+)?\)|avg|max|med)\{(?:[A-Z]+ )?([^}]+)\}(.+)$/.exec(t);
    if (named) {
      const key = `http_req_duration{name:${named[2]}}`;
      thresholds[key] = [...(thresholds[key] || []), `${named[1]}${named[3]}`];
    } else if (t.startsWith('rate')) thresholds.http_req_failed = [t];
    else afterRun.push(t);
  }
  return { thresholds, afterRun };
}

const { thresholds, afterRun } = ingestThresholds(p.thresholds);
export const AFTER_RUN = afterRun;

export const options = {
  scenarios: {
    IngestUser: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: rampHoldStages(TARGET_VUS, p.runTime),
      gracefulRampDown: p.stopTimeout,
      gracefulStop: p.stopTimeout,
      exec: 'IngestUser',
    },
  },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

const accepted = new Counter('ingest_accepted');
// 202 is success; a 503 with Retry-After (the backlog past INGEST_BACKLOG_LIMIT) is a refusal, not a failure.
const expected = http.expectedStatuses(202, 503);
let seq = 0;

function event() {
  seq++;
  return {
    type: seq % 3 === 0 ? 'page_view' : 'log',
    runId: RUN_ID,
    payload: { seq, level: 'info', message: 'load test event' },
  };
}

function post(path, body, name) {
  return http.post(`${p.host}${path}`, JSON.stringify(body), {
    headers: { 'content-type': 'application/json' },
    tags: { name },
    responseCallback: expected,
  });
}

/** Waits as a 503 asks (Retry-After, at most 5 s); else the user's think time, 0.2-0.8 s as Swarm's. */
function pause(res) {
  const retry = res.status === 503 ? Number(res.headers['Retry-After']) : 0;
  sleep(retry > 0 ? Math.min(5, retry) : 0.2 + Math.random() * 0.6);
}

export function IngestUser() {
  for (let i = 0; i < 3; i++) {
    const res = post('/api/events', event(), SINGLE);
    if (res.status === 202) accepted.add(1);
    pause(res);
  }
  const res = post('/api/events/batch', { events: Array.from({ length: BATCH }, event) }, BATCHED);
  if (res.status === 202) accepted.add(BATCH);
  pause(res);
}

export function handleSummary(data) {
  const lines = ['', `swarmgate k6 summary (ingest, run id ${RUN_ID})`, ''];
  let failed = false;
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expr, result] of Object.entries(metric.thresholds || {})) {
      lines.push(`  ${result.ok ? 'PASS' : 'FAIL'}  ${name}: ${expr}`);
      failed ||= !result.ok;
    }
  }
  const count = data.metrics.ingest_accepted ? data.metrics.ingest_accepted.values.count : 0;
  lines.push(
    '',
    `  accepted ${count} events; judged after the run from Postgres: ${AFTER_RUN.join(', ')}`,
    '',
  );
  return {
    stdout: lines.join('\n'),
    [env.SUMMARY_JSON || 'k6-summary.json']: JSON.stringify(
      {
        verdict: failed ? 'fail' : 'pass',
        runId: RUN_ID,
        accepted: count,
        afterRun: AFTER_RUN,
        metrics: data.metrics,
      },
      null,
      2,
    ),
  };
}
