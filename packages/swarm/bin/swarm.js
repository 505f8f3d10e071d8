#!/usr/bin/env node
// The `swarm` command: registers tsx's loader in this process (scenarios and the engine are TypeScript) and
// runs the CLI. One process, so Ctrl-C reaches the engine directly.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
