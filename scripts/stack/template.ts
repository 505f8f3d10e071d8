/**
 * The one template syntax of the stack's configuration (gateway/ and monitoring/): `${NAME}` and `$NAME`, as
 * envsubst reads them, for names with the template family's prefix (`GATEWAY_`, `PROMETHEUS_`). Natively these
 * functions fill them; under docker-compose envsubst does, from the same values set as environment variables.
 */
export type TemplateVars<P extends string> = Record<`${P}${string}`, string>;

const patterns = new Map<string, RegExp>();

function placeholder(prefix: string): RegExp {
  let pattern = patterns.get(prefix);
  if (!pattern) {
    pattern = new RegExp(`\\$\\{(${prefix}[A-Z0-9_]+)\\}|\\$(${prefix}[A-Z0-9_]+)`, 'g');
    patterns.set(prefix, pattern);
  }
  return pattern;
}

/**
 * Fills every `${PREFIX...}` (and `$PREFIX...`) placeholder of `template` from `vars`. A placeholder without a
 * value throws, naming it and `source`, so a template and its renderer cannot silently disagree; every other `$`
 * (nginx's `$host`, Prometheus's `$1`) stays as it is.
 * Example: `fillTemplate('listen ${GATEWAY_LISTEN};', { GATEWAY_LISTEN: '8080' }, 'GATEWAY_')` → `'listen 8080;'`.
 */
export function fillTemplate(
  template: string,
  vars: Record<string, string>,
  prefix: string,
  source = 'template',
): string {
  return template.replace(placeholder(prefix), (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = vars[name];
    if (value === undefined) throw new Error(`${source}: no value for \${${name}}`);
    return value;
  });
}

/** Every upper-case `$NAME` or `${NAME}` a template mentions: envsubst would replace any that is set. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))];
}
