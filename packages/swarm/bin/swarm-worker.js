#!/usr/bin/env node
// Internal: the entry point of one worker of `swarm run --processes N`. Only that command starts it, with an IPC
// channel over which the worker gets its segment and the setup data and sends its statistics back; started any
// other way it refuses and exits 2. The same loaders as the `swarm` command (launch.js).
import { launch } from './launch.js';

await launch('cli/worker-main');
