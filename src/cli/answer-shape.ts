import type { z } from 'zod';
import { unreadableAnswer } from './api-client';

/**
 * The answer, once it holds what the command reads with the types it reads (a server is not
 * trusted that far: a field it left out would otherwise end in an internal error); else exit 4
 * naming the first field that differs. Members the schema does not name are kept.
 */
export function shaped<T>(schema: z.ZodType, answer: T): T {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return answer;
  const [issue] = parsed.error.issues;
  throw unreadableAnswer(`${issue.path.join('.') || 'the answer'}: ${issue.message}`);
}
