// Module-resolution hooks of Swarm's processes (launch.js registers them after tsx, so they see each
// resolution first and tsx's answer last). They settle how a user's file outside node_modules loads:
//
// - TypeScript (.ts, .mts, .tsx) loads as an ES module whatever the nearest package.json says. `npm init -y`
//   writes "type": "commonjs", under which tsx would compile scenario.ts to CommonJS: its exports would reach
//   the CLI only as `default`, and its `import … from 'swarmgate-swarm'` would fail. Scenarios are written with
//   import/export, so ESM is what they mean.
// - JavaScript (.js) loads by Node's own rules: tsx's hint is dropped. tsx calls a .js file in a package.json
//   without "type" (what `npm install` in an empty folder writes) CommonJS, where Node would detect its
//   import/export and load it as ESM; with tsx's hint it fails with ERR_REQUIRE_CYCLE_MODULE.
//
// In the Swarmgate repository (`sourceCondition`) every resolution also gets the package's `swarmgate-source`
// export condition, as `node --conditions=swarmgate-source` would: 'swarmgate-swarm' is then src/index.ts.
const TYPESCRIPT = /\.(?:ts|mts|tsx)$/;

let extraConditions = [];

export function initialize({ sourceCondition }) {
  if (sourceCondition) extraConditions = ['swarmgate-source'];
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(
    specifier,
    extraConditions.length === 0
      ? context
      : { ...context, conditions: [...context.conditions, ...extraConditions] },
  );
  const { url } = resolved;
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return resolved;
  const { pathname } = new URL(url);
  if (TYPESCRIPT.test(pathname)) return { ...resolved, format: 'module' };
  if (pathname.endsWith('.js')) return { ...resolved, format: undefined };
  return resolved;
}
