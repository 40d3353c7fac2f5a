import { statementMismatches, type Binding, type Signer } from '../domain/shared/statement-binding';
import { checkFailed } from './cli-error';

/** Refuses (exit 5) to sign a statement that does not bind what was asked for, or is not live `now`. */
export function checkStatement(statement: string, signer: Signer, binding: Binding, now: number): void {
  const problems = statementMismatches(statement, signer, binding, now);
  if (problems.length > 0)
    throw checkFailed(
      `Refusing to sign the server's ${binding.purpose} challenge:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
}
