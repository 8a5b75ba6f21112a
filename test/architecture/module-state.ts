import ts from 'typescript';

/**
 * Finds module-level mutable state in TypeScript sources: what makes two
 * apps (or two stores) in one process share a cache. STYLE.md: "A cache is
 * an instance owned by an app or a store, never a module-level Map."
 *
 * Flagged, for each file:
 * - a top-level `let` or `var`;
 * - a top-level `const` initialised with `new Map`, `WeakMap`, `Set`,
 *   `WeakSet` or `WeakRef`, unless allowlisted as a constant table;
 * - any top-level `const` whose contents the file changes (`x.set(…)`,
 *   `x.add(…)`, `x.delete(…)`, `x.clear()`, `x.push(…)`, …, `x.y = …`,
 *   `x[k] = …`), allowlisted or not: a constant table is never written;
 * - a top-level global or sticky regex (`/…/g`, `/…/y`) the file calls
 *   `.exec` or `.test` on: both move its lastIndex, which the next caller
 *   starts from (replace and matchAll do not depend on it);
 * - a class's static property that is not readonly, or is a new Map/Set.
 *
 * References are resolved through the type checker, so a local variable of
 * the same name in a function is not mistaken for the module-level one.
 */
export interface StateFinding {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly why: string;
}

const COLLECTIONS = new Set(['Map', 'WeakMap', 'Set', 'WeakSet', 'WeakRef']);
const MUTATORS = new Set(['set', 'add', 'delete', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);

/** Program over `files` that binds names within each file only: no imports followed, no lib (fast, and enough to tell locals apart). */
export function parseProgram(files: readonly string[], host?: ts.CompilerHost): ts.Program {
  const options: ts.CompilerOptions = { noResolve: true, noLib: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, allowJs: false };
  return ts.createProgram({ rootNames: [...files], options, ...(host ? { host } : {}) });
}

/** Every finding in `file` of `program`; `allowed` holds the names of this file's constant tables. */
export function moduleStateFindings(program: ts.Program, file: string, allowed: ReadonlySet<string> = new Set()): StateFinding[] {
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`not in the program: ${file}`);
  const checker = program.getTypeChecker();
  const findings: StateFinding[] = [];
  const report = (node: ts.Node, name: string, why: string): void => {
    findings.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, name, why });
  };

  const topLevel = new Map<ts.Symbol, string>();
  const statefulRegexes = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      const isConst = (flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        const name = declaration.name.getText(source);
        if (!isConst) {
          report(declaration, name, 'a top-level let or var: state every app in the process shares');
          continue;
        }
        const init = declaration.initializer;
        if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && COLLECTIONS.has(init.expression.text) && !allowed.has(name)) {
          report(declaration, name, `a top-level new ${init.expression.text}: a cache shared by every app in the process (or, if a constant table, allowlist it)`);
        }
        if (ts.isIdentifier(declaration.name)) {
          const symbol = checker.getSymbolAtLocation(declaration.name);
          if (symbol) topLevel.set(symbol, name);
        }
        if (init && isStatefulRegex(init)) statefulRegexes.add(name);
      }
    }
    if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        if (!ts.isPropertyDeclaration(member)) continue;
        const modifiers = ts.getModifiers(member) ?? [];
        if (!modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
        const name = `${statement.name?.text ?? 'class'}.${member.name.getText(source)}`;
        const init = member.initializer;
        if (!modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)) report(member, name, 'a static property that is not readonly: state every instance shares');
        else if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && COLLECTIONS.has(init.expression.text)) report(member, name, `a static new ${init.expression.text}: a cache every instance shares`);
      }
    }
  }

  /** The top-level const `expression` names, if it is a bare identifier that resolves to one. */
  const topLevelName = (expression: ts.Expression): string | undefined => {
    if (!ts.isIdentifier(expression)) return undefined;
    const symbol = checker.getSymbolAtLocation(expression);
    return symbol === undefined ? undefined : topLevel.get(symbol);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && MUTATORS.has(node.expression.name.text)) {
      const name = topLevelName(node.expression.expression);
      if (name !== undefined) report(node, name, `a top-level const changed with .${node.expression.name.text}(…): mutable module state`);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && (node.expression.name.text === 'exec' || node.expression.name.text === 'test')) {
      const name = topLevelName(node.expression.expression);
      if (name !== undefined && statefulRegexes.has(name)) report(node, name, `.${node.expression.name.text}(…) on a top-level global or sticky regex: its lastIndex is state every caller shares`);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const target = node.left;
      if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
        const name = topLevelName(target.expression);
        if (name !== undefined) report(node, name, 'a property of a top-level const assigned: mutable module state');
      }
    }
    if (ts.isDeleteExpression(node) && (ts.isPropertyAccessExpression(node.expression) || ts.isElementAccessExpression(node.expression))) {
      const name = topLevelName(node.expression.expression);
      if (name !== undefined) report(node, name, 'a property of a top-level const deleted: mutable module state');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** A regex literal, or `new RegExp(…, flags)` with literal flags, whose flags include g or y. */
function isStatefulRegex(init: ts.Expression): boolean {
  if (ts.isRegularExpressionLiteral(init)) return /[gy]/.test(init.text.slice(init.text.lastIndexOf('/') + 1));
  if (ts.isNewExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'RegExp') {
    const flags = init.arguments?.[1];
    return flags !== undefined && ts.isStringLiteralLike(flags) && /[gy]/.test(flags.text);
  }
  return false;
}

/** A compiler host serving in-memory sources (for testing the rules themselves). */
export function memoryHost(files: Readonly<Record<string, string>>): ts.CompilerHost {
  const host = ts.createCompilerHost({});
  return {
    ...host,
    fileExists: (name) => name in files,
    readFile: (name) => files[name],
    getSourceFile: (name, languageVersion) => (name in files ? ts.createSourceFile(name, files[name] as string, languageVersion, true) : undefined),
    writeFile: () => undefined,
  };
}
