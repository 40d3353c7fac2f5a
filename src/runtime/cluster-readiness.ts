import type { CheckOutcome, ReadinessProbe } from '../shared/readiness';
import { type Gather, WORKERS_ANSWER_TIMEOUT_MS, type WorkerAnswer } from './cluster-gather';

/**
 * Every worker's checks as one: the cluster is ready when every worker is, whichever takes the
 * probe. A check several workers run (the event store) is down when it is down in any, each fault
 * naming its worker; the checks of worker 0's roles (the email queue) are the cluster's. A worker
 * still starting or silent is down by name (`worker1`), and so is the cluster while its primary does
 * not answer.
 */
export class ClusterReadiness implements ReadinessProbe {
  constructor(private readonly gather: Gather) {}

  probe(): Promise<CheckOutcome[]> {
    return this.gather('readiness').then(clusterOutcomes, (error: Error) => [{ name: 'cluster', fault: error.message }]);
  }
}

function clusterOutcomes(answers: readonly WorkerAnswer[]): CheckOutcome[] {
  const faults = new Map<string, string[]>();
  const add = (name: string, fault?: string): void => {
    const ofCheck = faults.get(name) ?? faults.set(name, []).get(name)!;
    if (fault !== undefined) ofCheck.push(fault);
  };
  for (const answer of answers) {
    if ('missing' in answer) add(`worker${answer.worker}`, answer.missing === 'starting' ? 'starting' : `does not answer within ${WORKERS_ANSWER_TIMEOUT_MS} ms`);
    else for (const { name, fault } of answer.answer as CheckOutcome[]) add(name, fault === undefined ? undefined : `worker ${answer.worker}: ${fault}`);
  }
  return [...faults].map(([name, ofCheck]) => (ofCheck.length === 0 ? { name } : { name, fault: ofCheck.join('; ') }));
}
