/**
 * Every SQL statement is parameterised (issue 5, RELIABILITY.md): no value from outside is ever spliced into SQL
 * text. Found by walking the TypeScript syntax tree of src/: the SQL argument of every `.query(…)`, `.exec(…)`
 * and `.stampedRead(…)` call is a string literal, a constant, or a template whose every `${…}` is a constant
 * written in UPPER_CASE (fragments and numbers fixed in the code, never input).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "..", "src");
const SQL_METHODS = new Set(["query", "exec", "stampedRead", "copyIn"]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** The database adapters pass their callers' statements through; the callers are what is checked. */
const PASS_THROUGH = new Set([
  "db/pglite.ts:sql",
  "db/postgres.ts:sql",
  "db/scratch.ts:sql",
  "db/replica.ts:sql",
  // A migration file's whole text.
  "db/migrate.ts:sql",
  // arraysAsLiterals wraps its caller's statement, changing only the parameters (ingest/store.ts, otlp/ingest.ts).
  "ingest/array-literal.ts:sql",
  // selectColumns wraps its caller's statement (directory/store.ts passes literals only).
  "db/columns.ts:text",
  // copyIn hands its caller's COPY statement to the driver (import/store.ts passes constants only).
  "db/copy-in.ts:sql",
  "db/copy-in.ts:copy",
]);

/**
 * True for what is fixed in the code: `NAME`, `NAME.prop`, `NAME[key]`, `NAME("literal")`, and anything whose type
 * is a string or number literal (or a union of them), such as a column chosen from `"org_id" | "enterprise_id"`.
 */
function isConstant(e: ts.Expression, checker: ts.TypeChecker): boolean {
  if (ts.isIdentifier(e) && /^[A-Z][A-Z0-9_]*$/.test(e.text)) return true;
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (isConstant(e.expression, checker)) return true;
  }
  if (
    ts.isCallExpression(e) &&
    isConstant(e.expression, checker) &&
    e.arguments.every((a) => ts.isStringLiteral(a))
  )
    return true;
  const type = checker.getTypeAtLocation(e);
  const parts = type.isUnion() ? type.types : [type];
  return parts.every((t) => t.isStringLiteral() || t.isNumberLiteral());
}

function findings(): { calls: number; unsafe: string[] } {
  const program = ts.createProgram(files(SRC), {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
  });
  const checker = program.getTypeChecker();
  let calls = 0;
  const unsafe: string[] = [];
  for (const file of files(SRC)) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        SQL_METHODS.has(node.expression.name.text) &&
        node.arguments.length > 0
      ) {
        const receiver = node.expression.expression;
        const isRegex =
          ts.isRegularExpressionLiteral(receiver) ||
          (ts.isIdentifier(receiver) && /^[A-Z][A-Z0-9_]*$/.test(receiver.text));
        const sql = node.arguments[0]!;
        const passThrough = ts.isIdentifier(sql) && PASS_THROUGH.has(`${relative(SRC, file)}:${sql.text}`);
        if (!isRegex && !passThrough) {
          calls++;
          const ok =
            ts.isStringLiteral(sql) ||
            ts.isNoSubstitutionTemplateLiteral(sql) ||
            isConstant(sql, checker) ||
            (ts.isTemplateExpression(sql) &&
              sql.templateSpans.every((s) => isConstant(s.expression, checker)));
          if (!ok) {
            const { line } = source.getLineAndCharacterOfPosition(sql.getStart());
            unsafe.push(`${relative(SRC, file)}:${line + 1}: ${sql.getText().slice(0, 80)}`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { calls, unsafe };
}

describe("SQL", () => {
  it("is parameterised everywhere in src/: only constants are spliced into statement text", () => {
    const { calls, unsafe } = findings();
    expect(calls).toBeGreaterThan(50);
    expect(unsafe).toEqual([]);
  });
});
