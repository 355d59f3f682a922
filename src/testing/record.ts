// Records what each claim's properties found, for reports/properties.json: cases run, the largest
// error or gap observed, the verdict, counterexamples and the seed that reproduces them.
import fc from 'fast-check';
import { afterAll, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../index.ts';

/** DROPCHECK_DEEP=1 (npm run test:deep): ten times the cases, on a fresh seed. */
export const DEEP = process.env.DROPCHECK_DEEP === '1';
export const runs = (n: number) => (DEEP ? 10 * n : n);

/**
 * holds: no counterexample. refuted-as-expected: fast-check found the counterexample the claim says
 * exists. contradicted: the check confirms that the data contradict a stated part of the claim (the
 * suite stays green; the report says so). failed: the check itself failed.
 */
export type Verdict = 'holds' | 'refuted-as-expected' | 'contradicted' | 'failed';

export interface ClaimRecord {
  claims: string[];
  property: string;
  cases: number;
  /** The largest error or gap observed over the cases (null when the property measures none). */
  maxError: number | null;
  verdict: Verdict;
  counterexample?: unknown;
  /** For statistical checks: the false-failure probability and the bound it follows from. */
  alpha?: number;
  bound?: string;
  seed: number;
  path?: string;
  file: string;
  details?: Record<string, unknown>;
  /** For a 'contradicted' record: which part of the claim the data contradict, and how. */
  contradicts?: string;
  /** What the property compares against and why that is independent of the code it judges. */
  reference?: string;
  /** The tolerance and where it comes from (a rounding bound, a stated α, exact). */
  tolerance?: string;
  /** A finding the claim ledger states beside the verdict (e.g. about a transcribed form of the claim). */
  note?: string;
}

/** A property's reference (and why it is independent of the code it judges) and its tolerance (and where it comes from). */
export interface Basis {
  reference: string;
  tolerance: string;
}

/** Optional parts of a record: its basis (else the file's default for its claims), details computed after the run, a note for the ledger. */
export interface Extra {
  basis?: Basis;
  details?: () => Record<string, unknown>;
  note?: string;
}

export const FRAGMENTS = 'reports/.properties';
/** This run's folder of per-file records (named by the run, so concurrent runs do not mix). */
export const fragmentDir = () => `${FRAGMENTS}/${process.env.DROPCHECK_RUN ?? 'standalone'}`;

let observed: number | null = null;
let muted = false;
/** Reports an error or gap measured inside a property; the record keeps the largest. */
export function observe(err: number): void {
  if (muted) return;
  const e = Number.isNaN(err) ? Infinity : err;
  observed = observed === null ? e : Math.max(observed, e);
}

/** Runs fn without recording what it observes: for checks run on deliberately wrong code, whose errors are not the claim's. */
export function unobserved<T>(fn: () => T): T {
  const was = muted;
  muted = true;
  try {
    return fn();
  } finally {
    muted = was;
  }
}

/** Tensors as {shape, values}, so counterexamples stay readable in JSON. */
export function toJSONValue(v: unknown): unknown {
  if (v instanceof Tensor) return { shape: [...v.shape], values: Array.from(v.data) };
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJSONValue(x)]));
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/** The claim IDs and the property's name, from the running test's name (describe › it), which names its claims. */
function current(): { claims: string[]; property: string } {
  const name = expect.getState().currentTestName ?? '';
  const claims = [...new Set(name.match(/\b[EDGMX]-[A-Z0-9]+\b/g) ?? [])];
  if (claims.length === 0)
    throw new Error(
      `a recorded property must name its claim IDs (e.g. E-LIN) in its test or describe name; got "${name}"`,
    );
  return { claims, property: name.replace(/ > /g, ' › ') };
}

/**
 * One recorder per property file: `const { holds, refutes, check } = recorder(import.meta.url)`.
 * Use them inside a test whose name (or describe) names the claim IDs.
 */
export function recorder(fileUrl: string, bases: Readonly<Record<string, Basis>> = {}) {
  const file = basename(fileURLToPath(fileUrl));
  const records: ClaimRecord[] = [];
  /** The record's basis: given, or the file's defaults for its claims (distinct ones joined). Every record states one. */
  const basisOf = (claims: string[], property: string, given?: Basis): Basis => {
    if (given) return given;
    const found = claims.map((c) => bases[c]).filter((b): b is Basis => b !== undefined);
    if (found.length === 0)
      throw new Error(
        `${property}: a recorded property must state its reference and tolerance (pass a basis, or give the file's recorder a default for ${claims.join(', ')})`,
      );
    const distinct = (xs: string[]) => [...new Set(xs)].join(' ');
    return { reference: distinct(found.map((b) => b.reference)), tolerance: distinct(found.map((b) => b.tolerance)) };
  };
  const extras = (at: { claims: string[]; property: string }, e: Extra) => {
    const b = basisOf(at.claims, at.property, e.basis);
    return { reference: b.reference, tolerance: b.tolerance, note: e.note };
  };
  const detailsOf = (e: Extra, more?: Record<string, unknown>) => {
    const d = { ...(e.details ? e.details() : {}), ...more };
    return Object.keys(d).length ? (toJSONValue(d) as Record<string, unknown>) : undefined;
  };
  afterAll(() => {
    mkdirSync(fragmentDir(), { recursive: true });
    writeFileSync(`${fragmentDir()}/${file}.json`, JSON.stringify(records, null, 1));
  });
  const seed = () => fc.readConfigureGlobal().seed ?? NaN;

  return {
    /** fast-check must find no counterexample; throws fast-check's report (seed and path) otherwise. */
    holds<T>(prop: fc.IRawProperty<T, boolean>, params: fc.Parameters<T> = {}, extra: Extra = {}) {
      const at = current();
      const ex = extras(at, extra);
      observed = null;
      const d = fc.check(prop as fc.IRawProperty<T, false>, params);
      records.push({
        ...at,
        cases: d.numRuns,
        maxError: observed,
        verdict: d.failed ? 'failed' : 'holds',
        counterexample: d.failed ? toJSONValue(d.counterexample) : undefined,
        seed: d.seed,
        path: d.counterexamplePath ?? undefined,
        file,
        ...ex,
        details: detailsOf(extra),
      });
      if (d.failed) {
        const cause =
          d.errorInstance instanceof Error ? `\n\nThe assertion that failed: ${d.errorInstance.message}` : '';
        throw new Error((fc.defaultReportMessage(d) ?? 'property failed') + cause);
      }
    },

    /** fast-check must FIND a counterexample (a claim shown false); returns the shrunk one. `describe` renders it readably for the report. */
    refutes<T>(
      prop: fc.IRawProperty<T, false>,
      params: fc.Parameters<T> = {},
      describe?: (counterexample: T) => string,
      extra: Extra = {},
    ): T {
      const at = current();
      const ex = extras(at, extra);
      observed = null;
      const d = fc.check(prop, params);
      // only a property returning false refutes; one that threw crashed, which proves nothing
      const crashed =
        d.failed &&
        !(d.errorInstance instanceof Error && d.errorInstance.message === 'Property failed by returning false');
      if (crashed)
        throw new Error(
          `${at.property}: the property threw instead of returning false: ${String(d.errorInstance)}\n${fc.defaultReportMessage(d) ?? ''}`,
        );
      records.push({
        ...at,
        cases: d.numRuns,
        maxError: observed,
        verdict: d.failed ? 'refuted-as-expected' : 'failed',
        counterexample: d.failed ? toJSONValue(d.counterexample) : undefined,
        seed: d.seed,
        path: d.counterexamplePath ?? undefined,
        file,
        ...ex,
        details: detailsOf(extra, d.failed && describe ? { readable: describe(d.counterexample as T) } : undefined),
      });
      if (!d.failed)
        throw new Error(
          `${at.property}: expected fast-check to find a counterexample, found none in ${d.numRuns} runs (seed ${d.seed})`,
        );
      return d.counterexample as T;
    },

    /** A check that is not a fast-check property: an exact computation, or a statistical test with its α and bound. */
    check(r: {
      cases: number;
      maxError?: number | null;
      ok: boolean;
      alpha?: number;
      bound?: string;
      details?: Record<string, unknown>;
      contradicts?: string;
      basis?: Basis;
      note?: string;
    }) {
      const at = current();
      const ex = extras(at, { basis: r.basis, note: r.note });
      records.push({
        ...at,
        cases: r.cases,
        maxError: r.maxError ?? null,
        verdict: !r.ok ? 'failed' : r.contradicts ? 'contradicted' : 'holds',
        contradicts: r.contradicts,
        alpha: r.alpha,
        bound: r.bound,
        seed: seed(),
        file,
        details: r.details ? (toJSONValue(r.details) as Record<string, unknown>) : undefined,
        ...ex,
      });
      if (!r.ok)
        throw new Error(
          `${at.property} failed${r.alpha ? ` (false-failure probability ≤ ${r.alpha}, ${r.bound})` : ''}; seed ${seed()}`,
        );
    },
  };
}
