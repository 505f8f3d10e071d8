// Turns a mode of scenarios/profiles.json into k6 options, so the k6 scripts run exactly the load and criteria
// that Swarm runs: same users, ramp, duration, stages and thresholds. USERS, SPAWN_RATE, RUN_TIME and HOST
// override the profile as they do for ./load_test.sh.

const PROFILES = JSON.parse(open('../../scenarios/profiles.json'));

/** '1m30s' → 90 (seconds); the duration syntax the profiles use. */
export function seconds(text) {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
    matched += m[0];
  }
  if (matched !== String(text)) throw new Error(`not a duration: ${text}`);
  return total;
}

export function profile(mode) {
  const p = PROFILES.modes[mode];
  if (!p) throw new Error(`no mode ${mode} in scenarios/profiles.json`);
  // The failure lab breaks the stack on purpose while the load runs: k6 has no way to kill, stop or freeze a part
  // (or to bring the stack up differently between sub-runs), so it refuses those modes instead of running them
  // without their faults.
  if (p.faults || p.runs)
    throw new Error(
      `mode ${mode} is a failure-lab mode: k6 cannot apply faults to the stack; run it with Swarm: ./load_test.sh ${mode}`,
    );
  const env = typeof __ENV === 'undefined' ? {} : __ENV;
  return {
    ...p,
    users: env.USERS ? Number(env.USERS) : p.users,
    spawnRate: env.SPAWN_RATE ? Number(env.SPAWN_RATE) : p.spawnRate,
    runTime: env.RUN_TIME || p.runTime,
    rate: env.RATE || p.rate,
    host: env.HOST || PROFILES.host,
    replicas: env.REPLICAS ? Number(env.REPLICAS) : PROFILES.replicas,
    stopTimeout: PROFILES.stopTimeout,
  };
}

/**
 * Swarm thresholds → k6 thresholds. Latency on http_req_duration, the failure rate on http_req_failed, the hit
 * ratio on the cache_hit Rate, and "every replica served" as one count>0 per replica. What k6 cannot express as a
 * threshold (instance_skew, cache_p50_ratio, recovery_p95_ratio) is returned in `summaryChecks` and judged by
 * handleSummary, which prints the verdict.
 */
export function k6Thresholds(list, replicas) {
  const thresholds = {};
  const summaryChecks = [];
  const add = (metric, expr) => {
    thresholds[metric] = thresholds[metric] || [];
    thresholds[metric].push(expr);
  };
  for (const t of list) {
    const m =
      /^(p\(\d+(?:\.\d+)?\)|avg|max|min|med|rate|hit_ratio|warm_hit_ratio|instances|instance_skew|cache_p50_ratio|recovery_p95_ratio)(?:\(\d+\))?\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)$/.exec(
        t,
      );
    if (!m) throw new Error(`threshold not mirrored in k6: ${t}`);
    const [, metric, op, value] = m;
    if (metric === 'rate') add('http_req_failed', `rate${op}${value}`);
    // k6 cannot leave the warm-up out of a Rate, so warm_hit_ratio is judged on the whole run there (stricter).
    else if (metric === 'hit_ratio' || metric === 'warm_hit_ratio') add('cache_hit', `rate${op}${value}`);
    else if (metric === 'instances') {
      for (let i = 1; i <= Math.max(replicas, Number(value)); i++)
        add(`replica_requests{instance:app${i}}`, 'count>0');
    } else if (
      metric === 'instance_skew' ||
      metric === 'cache_p50_ratio' ||
      metric === 'recovery_p95_ratio'
    ) {
      summaryChecks.push({ metric, op, value: Number(value), expression: t });
    } else add('http_req_duration', `${metric}${op}${value}`);
  }
  return { thresholds, summaryChecks };
}

/**
 * The executor of one user class: ramping-vus from 0 at the spawn rate up to `users`, held for the run time,
 * or the profile's stages as they are; iterations get the profiles' stopTimeout to finish, as Swarm's users do.
 */
export function executorFor(p, users, exec) {
  if (p.rate) return arrivalExecutor(p, exec);
  if (p.stages) {
    return {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: p.stages,
      gracefulRampDown: p.stopTimeout,
      gracefulStop: p.stopTimeout,
      exec,
    };
  }
  const total = seconds(p.runTime);
  const ramp = Math.min(total, Math.ceil(users / p.spawnRate));
  return {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: `${ramp}s`, target: users },
      { duration: `${total - ramp}s`, target: users },
    ],
    gracefulRampDown: p.stopTimeout,
    gracefulStop: p.stopTimeout,
    exec,
  };
}

/** '3000/s' → 3000 (per second); '600/m' → 10. */
function perSecond(text) {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/.exec(text.trim());
  if (!m) throw new Error(`not a rate: ${text}`);
  return Number(m[1]) / { s: 1, m: 60, h: 3600 }[m[2] || 's'];
}

/**
 * The open model (a profile's `rate`, Swarm's --rate): k6's ramping-arrival-rate with the same stages
 * (`RATE:DURATION,...`, a first stage of 0s sets the start rate) or a constant rate for the run time.
 */
export function arrivalExecutor(p, exec) {
  const parts = String(p.rate)
    .split(',')
    .map((x) => x.split(':'));
  const stages = parts.map(([r, d]) => ({ target: perSecond(r), duration: d || p.runTime || '60s' }));
  const startRate = stages.length > 0 && seconds(stages[0].duration) === 0 ? stages.shift().target : 0;
  return {
    executor: 'ramping-arrival-rate',
    startRate,
    timeUnit: '1s',
    preAllocatedVUs: Math.min(p.maxUsers || 100, 50),
    maxVUs: p.maxUsers || 100,
    stages:
      parts.length === 1 && parts[0].length === 1
        ? [{ target: stages[0].target, duration: p.runTime || '60s' }]
        : stages,
    gracefulStop: p.stopTimeout,
    gracefulRampDown: p.stopTimeout,
    exec,
  };
}

/**
 * A breakpoint mode's SLO as k6 thresholds that abort the test when they fail (abortOnFail, judged after 10 s so the
 * first seconds' few samples do not stop it), as Swarm's --abort-on does.
 */
export function sloThresholds(slo) {
  const { thresholds } = k6Thresholds(slo, 0);
  const out = {};
  for (const [metric, list] of Object.entries(thresholds)) {
    out[metric] = list.map((threshold) => ({ threshold, abortOnFail: true, delayAbortEval: '10s' }));
  }
  return out;
}

/** k6 options for a mode: one scenario per user class (AdminUser is one VU, as its fixedCount says). */
export function optionsFor(mode) {
  const p = profile(mode);
  const { thresholds } = k6Thresholds(p.thresholds, p.replicas);
  if (p.slo) Object.assign(thresholds, sloThresholds(p.slo));
  const scenarios = {};
  const admin = p.userClasses.includes('AdminUser') ? 1 : 0;
  const others = p.userClasses.filter((c) => c !== 'AdminUser');
  const each = Math.floor(((p.users || 0) - admin) / Math.max(1, others.length));
  for (const cls of others) scenarios[cls] = executorFor(p, each, cls);
  if (admin) scenarios.AdminUser = executorFor({ ...p, spawnRate: 1 }, 1, 'AdminUser');
  return {
    scenarios,
    thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
}
