/**
 * Lets a plain `node --require ./scripts/register-ts.js fixture.ts` child process load
 * TypeScript: the same SWC transform jest uses, applied by a require hook.
 *
 * The output is kept on disk by the source's content: the suites start hundreds of worker
 * threads and child processes on source, each compiling the same files again otherwise (about a
 * third of a test server's thread starts went to SWC).
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { transformSync, version } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const cacheDir = join(tmpdir(), 'ztkeys-register-ts');
const optionsKey = JSON.stringify([version, options]);

function compiled(source, filename) {
  const cached = join(cacheDir, `${createHash('sha256').update(optionsKey).update(filename).update(source).digest('hex')}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    const { code } = transformSync(source, { ...options, filename });
    keep(cached, code);
    return code;
  }
}

/** A saving, never a condition: a temporary folder that cannot be written keeps nothing. */
function keep(cached, code) {
  // Written beside, then renamed: a process reading it at once never sees half of it.
  const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(partial, code);
    renameSync(partial, cached);
  } catch {
    // What was written of it (a full disk), if anything, goes.
    if (existsSync(partial)) rmSync(partial);
  }
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(compiled(readFileSync(filename, 'utf8'), filename), filename);
};
