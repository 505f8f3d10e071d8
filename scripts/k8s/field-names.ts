import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './references';

/**
 * Field names the Kubernetes API does not know (a `readinesProbe`, a `containerport`), which kubernetes-models'
 * validators let pass. Each object is written as an object literal typed with its kind's kubernetes-models
 * interface (`const o: IDeployment = {…}`) and type-checked in memory: TypeScript's excess property check names
 * every field that is not in the API's types, at any depth, as well as a value of the wrong type.
 * `root` is the repository, whose node_modules holds kubernetes-models. Returns one message per problem.
 */
export function fieldNameProblems(objects: K8sObject[], root: string): string[] {
  const file = join(root, 'scripts', 'k8s', '__manifest-fields__.ts');
  const lines: string[] = [];
  const owners: { from: number; to: number; id: string }[] = [];
  const kinds = new Map<string, string>();
  objects.forEach((o, i) => {
    const type = `I${o.kind}_${kinds.size}`;
    const key = `${o.apiVersion}/${o.kind}`;
    if (!kinds.has(key)) {
      kinds.set(key, type);
      lines.unshift(`import type { I${o.kind} as ${type} } from 'kubernetes-models/${key}';`);
    }
    const text = `export const o${i}: ${kinds.get(key)} = ${JSON.stringify(o, null, 2)};`.split('\n');
    owners.push({ from: lines.length, to: lines.length + text.length, id: `${o.kind}/${o.metadata.name}` });
    lines.push(...text);
  });
  // The imports went on top: shift every object's lines by their count.
  const shift = kinds.size;
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, sourceFile).map((d) => {
    const line = d.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
    const owner = owners.find((o) => line >= o.from + shift && line < o.to + shift);
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    const field = d.start === undefined ? '' : ` (at ${source.slice(d.start, d.start + (d.length ?? 0))})`;
    return `${owner?.id ?? 'manifests'}: ${message}${field}`;
  });
}
