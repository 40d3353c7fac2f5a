import { runCli } from '../../../src/cli/run-cli';
import { memoryIo } from './memory-io';

/** One run of ztkeys in-process with ZTKEYS_HOME `home`: its exit code and what it wrote. */
export async function runInHome(home: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo({ ZTKEYS_HOME: home });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}
