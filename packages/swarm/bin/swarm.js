#!/usr/bin/env node
// The `swarm` command. Started as a user starts it (no Node flags), it runs itself again in an engine process with
// a larger young generation and relays signals to it (engine-process.js); that process, or one started with Node
// flags of the user's own, runs the CLI after the loaders that let a scenario be TypeScript (launch.js).
import { relaunch, shouldRelaunch, watchLauncher } from './engine-process.js';

if (shouldRelaunch()) relaunch();
else {
  watchLauncher();
  const { launch } = await import('./launch.js');
  await launch('cli/main');
}
