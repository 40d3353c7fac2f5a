import type { z } from 'zod';

/**
 * A file of the CLI home (profiles.json, a key folder's index.json) read as the shape ztkeys writes
 * it, or why not: edited by hand, restored from another copy or cut short, other JSON would reach
 * the commands as a value they do not expect (a stack instead of one line), and a name in it as a
 * path (a key "fingerprint" of ../../x names a file outside the key folder, which ztkeys may delete).
 */
export function parseStored<T>(schema: z.ZodType<T>, text: string): { value: T } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const [issue] = parsed.error.issues;
  return { problem: `${issue.path.length > 0 ? issue.path.join('.') : 'the file'}: ${issue.message}` };
}
