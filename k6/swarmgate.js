// Swarmgate's load-test modes for k6: the same endpoints, task weights, load and criteria as Swarm's, read from
// scenarios/profiles.json.
//
//   k6 run -e MODE=basic k6/swarmgate.js            (smoke, basic, stress, cache or spike)
//   k6 run -e MODE=stress -e USERS=100 -e HOST=http://127.0.0.1:8080 k6/swarmgate.js
//   ./load_test.sh --engine k6 basic                 (the same, with the report folder and verdict of load_test.sh)
import { k6Thresholds, optionsFor, profile, seconds } from './lib/profile.js';
import { summarize } from './lib/summary.js';
import { makeUsers, seedHotSet } from './lib/users.js';

const MODE = __ENV.MODE;
if (!MODE)
  throw new Error('set the mode: k6 run -e MODE=basic k6/swarmgate.js (smoke, basic, stress, cache, spike)');
if (MODE === 'ingest')
  throw new Error(
    'the ingest mode has its own script: k6 run k6/ingest.js (./load_test.sh --engine k6 ingest)',
  );
const p = profile(MODE);

// The spike's criterion compares the p95 of its first stage with its last, so responses are sorted by stage.
const stageWindows = p.stages
  ? {
      firstEnd: seconds(p.stages[0].duration),
      lastStart:
        p.stages.reduce((s, st) => s + seconds(st.duration), 0) -
        seconds(p.stages[p.stages.length - 1].duration),
    }
  : undefined;
const run = makeUsers(p.host, p.replicas, stageWindows);

export const options = optionsFor(MODE);

export function setup() {
  return { hot: seedHotSet(p.host) };
}

export function ScalingSystemUser(data) {
  run('ScalingSystemUser', data.hot);
}

export function HighVolumeUser(data) {
  run('HighVolumeUser', data.hot);
}

export function AdminUser(data) {
  run('AdminUser', data.hot);
}

export function handleSummary(data) {
  return summarize(data, k6Thresholds(p.thresholds, p.replicas).summaryChecks, p.replicas);
}
