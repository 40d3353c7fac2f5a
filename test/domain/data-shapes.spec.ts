import { join } from 'node:path';
import ts from 'typescript';

/**
 * dataShapes fails the build where an event's schema and its declared type drift apart. The check
 * is a type, so these cases are compiled by TypeScript itself: a file beside this one, held in
 * memory, declares an event and its schema, and the compiler's diagnostics say whether the build
 * would fail.
 */

/** The project's own compiler options (tsconfig.json), so the cases build as the project does; no ambient types: the cases need none. */
const OPTIONS: ts.CompilerOptions = (() => {
  const root = join(__dirname, '../..');
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, noEmit: true, types: [] };
})();

/** Each case's declarations (an event type `Tested` and its schema `shape`) as a file of one program: the build errors of each. */
function buildErrors(cases: readonly string[]): string[][] {
  const files = new Map(
    cases.map((declarations, i) => [
      join(__dirname, `drifted-shapes-${i}.ts`),
      `import { z } from 'zod';
import { dataShapes } from '../../src/domain/events/data-shapes';
import type { DomainEvent } from '../../src/domain/shared/domain-event';
${declarations}
export const SHAPES = dataShapes<Tested>()({ Tested: shape });
`,
    ]),
  );
  const host = ts.createCompilerHost(OPTIONS);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, version) : getSourceFile(name, version, ...rest));
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], OPTIONS, host);
  return [...files.keys()].map((name) => ts.getPreEmitDiagnostics(program, program.getSourceFile(name)).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')));
}

const EXACT = `
  type Tested = DomainEvent<'Tested', { agentId: string; note?: string } & ({ method: 'A'; proof: { signature: string } } | { method: 'B' })>;
  const base = { agentId: z.string(), note: z.string().optional() };
  const shape = z.discriminatedUnion('method', [
    z.strictObject({ ...base, method: z.literal('A'), proof: z.strictObject({ signature: z.string() }) }),
    z.strictObject({ ...base, method: z.literal('B') }),
  ]);`;

const DRIFTED: ReadonlyArray<readonly [string, string]> = [
  ['an optional field only the type has', `type Tested = DomainEvent<'Tested', { agentId: string; note?: string }>; const shape = z.strictObject({ agentId: z.string() });`],
  ['an optional field only the schema has', `type Tested = DomainEvent<'Tested', { agentId: string }>; const shape = z.strictObject({ agentId: z.string(), note: z.string().optional() });`],
  ['a field optional in the schema, required in the type', `type Tested = DomainEvent<'Tested', { note: string }>; const shape = z.strictObject({ note: z.string().optional() });`],
  ['a required field only the type has', `type Tested = DomainEvent<'Tested', { agentId: string; note: string }>; const shape = z.strictObject({ agentId: z.string() });`],
  [
    'an optional field only a nested object of one member of the union has',
    `type Tested = DomainEvent<'Tested', { method: 'A'; proof: { signature: string; at?: string } } | { method: 'B' }>;
     const shape = z.discriminatedUnion('method', [
       z.strictObject({ method: z.literal('A'), proof: z.strictObject({ signature: z.string() }) }),
       z.strictObject({ method: z.literal('B') }),
     ]);`,
  ],
];

describe('dataShapes: the build fails where a schema and its event type differ', () => {
  let exact: string[];
  let drifted: string[][];
  beforeAll(() => {
    // One program for every case: loading zod's types is most of a compile.
    [exact, ...drifted] = buildErrors([EXACT, ...DRIFTED.map(([, declarations]) => declarations)]);
  });

  it('builds a schema that reads exactly its type, a union declared otherwise than the schema builds it included', () => {
    expect(exact).toEqual([]);
  });

  it.each(DRIFTED.map(([name], i) => [name, i] as const))('fails on %s', (_, i) => {
    expect(drifted[i]).toEqual([expect.stringMatching(/is not assignable to type 'never'/)]);
  });
});
