// `dropcheck audit <module>`: runs the dropout battery against the default export of a module and
// prints the table. Exit 0 when every property holds, 1 when any fails, 2 when the module cannot be
// loaded, does not offer the candidate interface, or the command line is wrong.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type AuditOptions,
  CandidateError,
  auditDropout,
  checkCandidate,
  formatJson,
  formatMarkdown,
  resolveOptions,
} from '../verify/audit/index.ts';
import { type IsolatedCandidate, loadIsolated } from '../verify/audit/isolated.ts';
import { loadExec } from '../verify/audit/exec.ts';
import { DEFAULTS } from '../verify/audit/context.ts';

export const USAGE = `usage: dropcheck audit <module> | --exec '<command>' [--alpha 1e-6] [--seed N] [--timeout ms] [--rate-error E] [--json] [--report out.md]

  <module>     an ES module (.js, .mjs or .ts) whose default export is a dropout candidate:
               { name, convention: 'inverted' | 'scale-at-inference', forward(x, rate, training, seed), vjp? }
  --exec C     instead of a module: a program in any language, started with the shell command C, that
               answers the audit's calls in binary frames on stdin/stdout (docs/audit.md; for Python:
               adapters/python/dropcheck_exec.py, e.g. --exec 'python3 adapters/python/pure_dropout.py')
  --alpha A    total false-failure probability of the statistical tests (default 1e-6)
  --seed N     seed of the audit's inputs and of the seeds passed to the candidate (default 20261127)
  --timeout ms longest wait for one call of the candidate (default 30000)
  --rate-error E, --scale-error E, --dependence E, --power P
               the effects each statistical test detects with probability P (defaults 0.002, 0.005,
               0.02, 0.999); larger effects need fewer elements, so a quicker audit
  --json       print the result as JSON instead of a markdown table
  --report F   also write the markdown report to file F

exit status: 0 every property holds, 1 some property fails, 2 the module or the command line is unusable`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

class UsageError extends Error {}

function parse(args: string[]): {
  module?: string;
  exec?: string;
  options: AuditOptions;
  json: boolean;
  report?: string;
} {
  const [command, ...rest] = args;
  if (command !== 'audit')
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  let module: string | undefined,
    exec: string | undefined,
    json = false,
    report: string | undefined;
  const options: AuditOptions = {};
  const numeric = (flag: string, v: string | undefined) => {
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${flag} expects a number, got "${v}"`);
    return x;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') json = true;
    else if (a === '--alpha') options.alpha = numeric(a, rest[++i]);
    else if (a === '--seed') options.seed = numeric(a, rest[++i]);
    else if (a === '--timeout') options.timeoutMs = numeric(a, rest[++i]);
    else if (a === '--rate-error') options.rateError = numeric(a, rest[++i]);
    else if (a === '--scale-error') options.scaleError = numeric(a, rest[++i]);
    else if (a === '--dependence') options.dependence = numeric(a, rest[++i]);
    else if (a === '--power') options.power = numeric(a, rest[++i]);
    else if (a === '--exec') {
      exec = rest[++i];
      if (exec === undefined || exec.trim() === '') throw new UsageError('--exec needs a command');
    } else if (a === '--report') {
      report = rest[++i];
      if (report === undefined) throw new UsageError('--report needs a file name');
    } else if (a.startsWith('-')) throw new UsageError(`unknown option "${a}"`);
    else if (module === undefined) module = a;
    else throw new UsageError(`one module at a time, got "${module}" and "${a}"`);
  }
  if (module !== undefined && exec !== undefined)
    throw new UsageError(`a module or --exec, not both (got "${module}" and --exec)`);
  if (module === undefined && exec === undefined) throw new UsageError("missing <module> or --exec '<command>'");
  return { module, exec, options, json, report };
}

/** tsx's ESM API (its import entry), registered in the candidate's worker only for a module written in TypeScript. */
function tsxApi(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tsx/package.json');
  const entry = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> })
    .exports['./esm/api']!.import.default;
  return pathToFileURL(resolve(dirname(pkg), entry)).href;
}

/** Runs the command line; returns the exit status. */
export async function main(args: string[], io: Io = stdio): Promise<number> {
  // --help or -h anywhere: the full usage on stdout, exit 0
  if (args.some((a) => a === '--help' || a === '-h')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parse(args);
  } catch (e) {
    // one line saying what is wrong, then the usage line (the details are one --help away)
    io.err(`dropcheck: ${(e as Error).message}\n${USAGE.split('\n')[0]}  (dropcheck --help for details)\n`);
    return 2;
  }
  let options: ReturnType<typeof resolveOptions>;
  try {
    options = resolveOptions(parsed.options);
  } catch (e) {
    io.err(`dropcheck: ${(e as Error).message}\n`);
    return 2;
  }
  // the candidate runs in a worker thread, so a call that never returns is stopped at the timeout
  // (or, with --exec, in a child process speaking the binary protocol, killed at the timeout)
  const source = parsed.exec === undefined ? parsed.module! : `--exec "${parsed.exec}"`;
  let isolated: IsolatedCandidate | undefined;
  let candidate;
  try {
    if (parsed.exec !== undefined) isolated = await loadExec(parsed.exec, options.timeoutMs);
    else {
      const path = resolve(parsed.module!);
      isolated = await loadIsolated(
        pathToFileURL(path).href,
        options.timeoutMs,
        /\.[mc]?tsx?$/.test(path) ? tsxApi() : undefined,
      );
    }
    candidate = checkCandidate(isolated.candidate, source);
  } catch (e) {
    isolated?.close();
    const msg =
      e instanceof CandidateError
        ? e.message === 'no-default'
          ? `${parsed.module}: the module has no default export; expected \`export default { name, convention, forward, vjp? }\``
          : e.message
        : `cannot load ${source}: ${(e as Error).message ?? String(e)}`;
    io.err(`dropcheck: ${msg}\n`);
    return 2;
  }
  let result;
  try {
    result = await auditDropout(candidate, options);
  } catch (e) {
    io.err(`dropcheck: ${(e as Error).message}\n`);
    return 2;
  } finally {
    isolated.close();
  }
  const o = result.options;
  const what = parsed.exec === undefined ? parsed.module! : `--exec '${parsed.exec}'`;
  // the effect sizes only when they are not the defaults, so the usual rerun line stays short
  const effects = (
    [
      ['--rate-error', 'rateError'],
      ['--scale-error', 'scaleError'],
      ['--dependence', 'dependence'],
      ['--power', 'power'],
    ] as const
  )
    .filter(([, k]) => o[k] !== DEFAULTS[k])
    .map(([flag, k]) => ` ${flag} ${o[k]}`)
    .join('');
  const rerun = `npx dropcheck audit ${what} --seed ${o.seed} --alpha ${o.alpha}${effects}`;
  const md = formatMarkdown(result, rerun);
  io.out(parsed.json ? formatJson(result) : md);
  if (parsed.report) writeFileSync(parsed.report, md);
  return result.ok ? 0 : 1;
}
