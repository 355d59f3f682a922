// Runs `dropcheck` in this process with its output captured: the exit status, stdout and stderr.
import { main } from '../../src/cli/dropcheck.ts';

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
