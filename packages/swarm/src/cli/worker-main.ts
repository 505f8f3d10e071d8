// One worker of `swarm run --processes N` (started by bin/swarm-worker.js, never by hand): reads the run's
// arguments and loads the scenario as its parent did, then runs the segment the parent gave it.
import { serveParent } from '../runner/workers';
import { parseRunArgs } from './run-args';
import { runSettings } from './run-settings';
import { loadScenario } from './scenario';

const code = await serveParent(async (start) => {
  const args = parseRunArgs(start.argv);
  return runSettings(args, await loadScenario(args.file, args.userClasses)).options;
});
process.exit(code);
