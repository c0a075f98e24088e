/**
 * Asks a yes/no question on the terminal. Without a terminal to ask on the
 * answer is "no": a script must say --yes explicitly before anything
 * irreversible happens.
 */
import * as readline from 'readline';

export interface ConfirmStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export type ConfirmOutcome = 'yes' | 'no' | 'no-terminal';

export async function confirm(question: string, streams: ConfirmStreams): Promise<ConfirmOutcome> {
  if (!streams.input.isTTY) return 'no-terminal';
  const rl = readline.createInterface({ input: streams.input, output: streams.output, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      // Ctrl-D or Ctrl-C closes the interface without an answer: that is a no.
      rl.once('close', () => resolve(''));
      rl.once('SIGINT', () => rl.close());
      rl.question(`${question} [y/N] `, resolve);
    });
    return /^\s*y(es)?\s*$/i.test(answer) ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}
