// `npm run build` (and `prepack`): compiles src/ to dist/ with tsc (tsconfig.build.json), JavaScript and
// declarations. The sources import each other without extensions ('../runner/lifecycle'), which the repo's
// bundler resolution and tsx accept but Node's ES module loader does not, so the emit adds them: './x' becomes
// './x.js' or './x/index.js', whichever source exists. Exits 1 with tsc's diagnostics when the sources do not
// compile.
import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = resolve(root, 'tsconfig.build.json');

/** The specifier Node needs for a relative import of the source `spec` from `fromFile`, or null to keep it. */
function withExtension(spec, fromFile) {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return null;
  if (/\.(?:[cm]?js|json)$/.test(spec)) return null;
  const target = resolve(dirname(fromFile), spec);
  if (existsSync(`${target}.ts`)) return `${spec}.js`;
  if (existsSync(resolve(target, 'index.ts'))) return `${spec}/index.js`;
  throw new Error(`${fromFile}: cannot resolve '${spec}'`);
}

/** Rewrites the specifiers of import/export declarations, import() calls and import("…") types. */
function addExtensions(context) {
  const { factory } = context;
  return (sourceFile) => {
    const fix = (literal) => {
      if (literal === undefined || !ts.isStringLiteral(literal)) return literal;
      const spec = withExtension(literal.text, sourceFile.fileName);
      return spec === null ? literal : factory.createStringLiteral(spec);
    };
    const visit = (node) => {
      if (ts.isImportDeclaration(node)) {
        return factory.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          fix(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node)) {
        return factory.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          fix(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const argument = factory.updateLiteralTypeNode(node.argument, fix(node.argument.literal));
        return factory.updateImportTypeNode(
          node,
          argument,
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [first, ...rest] = node.arguments;
        return factory.updateCallExpression(node, node.expression, node.typeArguments, [fix(first), ...rest]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit);
  };
}

const config = ts.getParsedCommandLineOfConfigFile(
  configFile,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: report,
  },
);
if (config.errors.length > 0) report(...config.errors);
rmSync(resolve(root, 'dist'), { recursive: true, force: true });
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const result = program.emit(undefined, undefined, undefined, false, {
  after: [addExtensions],
  afterDeclarations: [addExtensions],
});
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
if (diagnostics.length > 0) report(...diagnostics);

function report(...list) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(list, host));
  process.exit(1);
}
