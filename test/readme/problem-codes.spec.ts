import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The TypeScript of src/, generated files left out: where the server raises its problem codes. */
function sources(): string {
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.includes('generated'))
    .map((path) => readFileSync(join(root, 'src', path), 'utf8'))
    .join('\n');
}

/** Problem codes README tells clients to expect, written after their status: 409 `CONCURRENT_UPDATE`, 503 `STORE_UNAVAILABLE`. */
describe('README, problem codes', () => {
  it('names only codes the server raises', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const named = new Set([...readme.matchAll(/\b[45]\d\d (?:problem )?`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map(([, code]) => code));
    expect(named.size).toBeGreaterThan(20);
    const code = sources();
    expect([...named].filter((name) => !code.includes(`'${name}'`))).toEqual([]);
  });
});
