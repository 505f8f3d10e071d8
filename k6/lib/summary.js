// handleSummary for the mode scripts: k6's own threshold results, plus the criteria k6 cannot express as a
// threshold (instance skew, HIT vs MISS median, recovery after a spike), each with its actual value. k6's exit code
// covers only its own thresholds, so these print FAIL and are written to the JSON summary for CI to read.

const OPS = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
};

function value(metrics, name, stat) {
  const m = metrics[name];
  return m && m.values && m.values[stat] !== undefined ? m.values[stat] : null;
}

/** The actual value of one summary check, or null when the run did not measure it. */
export function actual(metrics, metric, replicas) {
  if (metric === 'cache_p50_ratio') {
    const hit = value(metrics, 'cache_hit_duration', 'med');
    const miss = value(metrics, 'cache_miss_duration', 'med');
    return hit === null || !miss ? null : hit / miss;
  }
  if (metric === 'recovery_p95_ratio') {
    const first = value(metrics, 'first_stage_duration', 'p(95)');
    const last = value(metrics, 'last_stage_duration', 'p(95)');
    return first === null || last === null || !first ? null : last / first;
  }
  if (metric === 'instance_skew') {
    const counts = [];
    for (let i = 1; i <= replicas; i++)
      counts.push(value(metrics, `replica_requests{instance:app${i}}`, 'count') || 0);
    const even = counts.reduce((s, c) => s + c, 0) / counts.length;
    return even === 0 ? null : Math.max(...counts.map((c) => Math.abs(c - even) / even));
  }
  return null;
}

export function summarize(data, checks, replicas) {
  const lines = ['', 'swarmgate k6 summary', ''];
  let failed = false;
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expr, result] of Object.entries(metric.thresholds || {})) {
      lines.push(`  ${result.ok ? 'PASS' : 'FAIL'}  ${name}: ${expr}`);
      failed ||= !result.ok;
    }
  }
  const results = checks.map((c) => {
    const a = actual(data.metrics, c.metric, replicas);
    const ok = a !== null && OPS[c.op](a, c.value);
    failed ||= !ok;
    lines.push(
      `  ${ok ? 'PASS' : 'FAIL'}  ${c.expression} (actual ${a === null ? 'not measured' : a.toFixed(3)})`,
    );
    return { ...c, actual: a, ok };
  });
  const reqs = value(data.metrics, 'http_reqs', 'count');
  lines.push('', `  requests ${reqs}, failed rate ${value(data.metrics, 'http_req_failed', 'rate')}`);
  lines.push(
    `  p(95) ${value(data.metrics, 'http_req_duration', 'p(95)')} ms, verdict ${failed ? 'FAIL' : 'PASS'}`,
    '',
  );
  return {
    stdout: lines.join('\n'),
    [__ENV.SUMMARY_JSON || 'k6-summary.json']: JSON.stringify(
      { verdict: failed ? 'fail' : 'pass', checks: results, metrics: data.metrics },
      null,
      2,
    ),
  };
}
