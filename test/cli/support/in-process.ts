/**
 * tplink-smartplug run in the test's own process through its exported
 * main(argv, io): what a user would see, without the ~300 ms a child
 * process costs to start, for tests that run it many times.
 */
import { PassThrough } from 'stream';
import { main } from '../../../lib/cli/tplink-smartplug';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function smartplugHere(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<InProcessResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  // No terminal and no input: what a script gives the tool.
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
