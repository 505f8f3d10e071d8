#!/usr/bin/env node
// The `swarm` command: the CLI in this process (so Ctrl-C reaches the engine directly), after the loaders that
// let a scenario be TypeScript (launch.js).
import { launch } from './launch.js';

await launch('cli/main');
