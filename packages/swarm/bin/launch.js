// How Swarm's processes start: the `swarm` command (bin/swarm.js) and any other entry point in bin/ call
// `launch(entry)`. It registers tsx's loader first, so a scenario may be TypeScript with decorators and the user
// configures nothing, then the resolve hooks (resolve-hooks.js), then runs the engine module `entry` in this
// process.
//
// Installed from npm, the engine is the built JavaScript in dist/, and a scenario's
// `import … from 'swarmgate-swarm'` reaches the same files. In the Swarmgate repository (src/ is there; the
// package does not ship it) the engine runs from its TypeScript sources, and the scenarios' import must reach
// those sources too, not a stale or absent build (a second copy of the engine would not know the first one's
// user classes): the hooks then resolve the package by its `swarmgate-source` export condition.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const FROM_SOURCE = existsSync(new URL('../src/index.ts', import.meta.url));

/**
 * Registers the loaders and imports `entry`, a module path under src/ without extension: src/<entry>.ts in the
 * repository, dist/<entry>.js when installed.
 *
 * @example
 * await launch('cli/main');
 */
export async function launch(entry) {
  registerTsx();
  // Registered after tsx, so these hooks see each resolution first and tsx's answer last.
  register('./resolve-hooks.js', import.meta.url, { data: { sourceCondition: FROM_SOURCE } });
  const url = FROM_SOURCE
    ? new URL(`../src/${entry}.ts`, import.meta.url)
    : new URL(`../dist/${entry}.js`, import.meta.url);
  await import(url.href);
}
