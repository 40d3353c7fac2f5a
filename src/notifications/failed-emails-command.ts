import { jsonShown, onOneLineShown, withHiddenShown } from '../shared/hidden-characters';
import { type ToolLine, ToolUsageError } from '../shared/tool-command-line';
import type { EmailJob } from './email-job';
import { InvalidFailedJobsCursor, NotFailedEmailJobs, type EmailQueue, type FailedEmailJob } from './queue/email-queue.port';

export const FAILED_EMAILS_USAGE = `usage: npm run emails -- failed [--limit N] [--after CURSOR] [--json]
       npm run emails -- retry <job id>... [--json]
       npm run emails -- retry --all [--json]
       npm run emails -- discard <job id>... [--json]
       npm run emails -- discard --all [--json]
`;

/** Exit codes of `npm run emails`. */
export const EXIT = { done: 0, failed: 1, usage: 2, refused: 3 } as const;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export type FailedEmailsCommand =
  | { action: 'failed'; limit: number; after?: string; json: boolean }
  | { action: 'retry' | 'discard'; which: string[] | 'all'; json: boolean };

/** The options of `npm run emails` (and -h, --help: see toolCommand). */
export const FAILED_EMAILS_OPTIONS = { json: { type: 'boolean' }, limit: { type: 'string' }, after: { type: 'string' }, all: { type: 'boolean' } } as const;

/** `failed`, `retry` or `discard` and their options; anything else is a ToolUsageError. */
export function failedEmailsCommand({ values, positionals }: ToolLine<typeof FAILED_EMAILS_OPTIONS>): FailedEmailsCommand {
  const [action, ...rest] = positionals;
  const json = values.json ?? false;
  if (action === 'failed') {
    if (rest.length > 0 || values.all) throw new ToolUsageError('failed takes no job id nor --all');
    const limit = values.limit ?? String(DEFAULT_LIMIT);
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw new ToolUsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`);
    }
    return { action, limit: Number(limit), after: values.after, json };
  }
  if (action === 'retry' || action === 'discard') {
    if (values.limit !== undefined || values.after !== undefined) throw new ToolUsageError(`${action} takes no --limit nor --after`);
    if (values.all && rest.length > 0) throw new ToolUsageError(`${action} takes job ids or --all, not both`);
    if (!values.all && rest.length === 0) throw new ToolUsageError(`${action} needs the ids of the jobs to ${action} (npm run emails -- failed lists them), or --all`);
    // `retry "$ID"` when the script's jq found no job: nothing to look for in the queue.
    if (rest.some((id) => id.trim() === '')) throw new ToolUsageError(`${action}: a job id is empty (npm run emails -- failed lists them)`);
    return { action, which: values.all ? 'all' : rest, json };
  }
  throw new ToolUsageError(action === undefined ? 'no command given' : `no command ${JSON.stringify(action)}`);
}

/** A failed job as the tool shows it: what it was, to whom, and why it failed. */
function described({ job, attempts, error, failedAt }: FailedEmailJob) {
  return { id: job.id, kind: job.kind, to: job.to, eventId: job.eventId, orgId: job.org.orgId, attempts, error, failedAt: failedAt.toISOString() };
}

/** Where the tool tells of each change it makes, so that an operator's action can be traced (a log line). */
export interface FailedEmailsLog {
  info(fields: { jobId: string; kind: EmailJob['kind'] }, msg: string): void;
}

/**
 * Runs a command against the queue, writing its result to `out`, and resolves to its exit code.
 * What the queue holds came from SMTP servers and clients (errors, names): shown with its
 * controls escaped, on one line each.
 */
export async function runFailedEmailsCommand(
  queue: EmailQueue,
  command: FailedEmailsCommand,
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  log: FailedEmailsLog,
): Promise<number> {
  if (command.action === 'failed') {
    let page;
    try {
      page = await queue.failedJobs(command.limit, command.after);
    } catch (error) {
      if (!(error instanceof InvalidFailedJobsCursor)) throw error;
      out.stderr.write(`--after: ${error.message}: give the one the previous page named\n${FAILED_EMAILS_USAGE}`);
      return EXIT.usage;
    }
    const jobs = page.jobs.map(described);
    if (command.json) {
      out.stdout.write(`${jsonShown(page.next === undefined ? { jobs } : { jobs, next: page.next }, 2)}\n`);
      return EXIT.done;
    }
    if (jobs.length === 0) {
      out.stdout.write(command.after === undefined ? 'no failed email jobs\n' : 'no more failed email jobs\n');
      return EXIT.done;
    }
    const lines = [`${jobs.length} failed email job(s), most recently failed first:`];
    for (const job of jobs) {
      lines.push(
        onOneLineShown(job.id),
        `  kind       ${job.kind}`,
        `  to         ${onOneLineShown(`${job.to.displayName} <${job.to.email}> (agent ${job.to.agentId})`)}`,
        `  org        ${onOneLineShown(job.orgId)}`,
        `  attempts   ${job.attempts}`,
        `  failed at  ${job.failedAt}`,
        `  error      ${onOneLineShown(job.error)}`,
      );
    }
    if (page.next !== undefined) lines.push(`more: npm run emails -- failed --limit ${command.limit} --after ${withHiddenShown(page.next)}`);
    lines.push('Fix the cause (the error is the SMTP server\'s answer), then: npm run emails -- retry <job id>... or --all');
    lines.push('Or drop for good an email that can never be sent: npm run emails -- discard <job id>... or --all');
    out.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.done;
  }
  const { action, which, json } = command;
  let changed: string[];
  try {
    if (action === 'retry') changed = await queue.retryFailed(which);
    else {
      const discarded = await queue.discardFailed(which);
      for (const job of discarded) log.info({ jobId: job.id, kind: job.kind }, 'failed email job discarded by an operator: it will not be sent');
      changed = discarded.map((job) => job.id);
    }
  } catch (error) {
    if (!(error instanceof NotFailedEmailJobs)) throw error;
    const why = error.jobs.map(({ id, state }) => `${onOneLineShown(id)} is ${state === 'missing' ? 'not in the queue' : state}`);
    const done = action === 'retry' ? 'retried' : 'discarded';
    out.stderr.write(`not ${done}: only failed jobs can be ${done} (npm run emails -- failed lists them), and ${why.join(', ')}; nothing was ${done}\n`);
    return EXIT.refused;
  }
  const [done, what] = action === 'retry' ? ['retried', 'the workers send them again, with all their attempts'] : ['discarded', 'they will not be sent'];
  if (json) out.stdout.write(`${jsonShown({ [done]: changed }, 2)}\n`);
  else if (changed.length === 0) out.stdout.write(`no failed email jobs to ${action}\n`);
  else out.stdout.write(`${done} ${changed.length} failed email job(s): ${what}\n${changed.map((id) => `  ${onOneLineShown(id)}\n`).join('')}`);
  return EXIT.done;
}
