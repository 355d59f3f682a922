// Every experiment, in report order.
import { eRidge } from './e-ridge.ts';
import type { Experiment, Pool } from './framework.ts';
import { mnistNets } from './networks.ts';
import { mnistTune } from './tune.ts';
import { mK50 } from './m-k50.ts';
import { xGauss } from './x-gauss.ts';
import { xKeep } from './x-keep.ts';
import { xMaxnorm } from './x-maxnorm.ts';
import { xOverfit } from './x-overfit.ts';
import { xSize } from './x-size.ts';
import { xSparse } from './x-sparse.ts';
import { xUnderfit } from './x-underfit.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [xOverfit, xUnderfit, xKeep, xSize, mK50, xSparse, xGauss, xMaxnorm, eRidge];

/** Runs shared by several experiments. */
export const POOLS: readonly Pool<any, any>[] = [mnistNets, mnistTune];

/** An experiment or a pool: anything whose runs can be planned and executed. */
export function runnable(id: string): Pool<any, any> {
  const r = EXPERIMENTS.find((x) => x.id === id) ?? POOLS.find((x) => x.id === id);
  if (!r) throw new RangeError(`unknown experiment or pool "${id}"`);
  if (!r.plan || !r.cost || !r.run) throw new RangeError(`${id} has no runs of its own (it reports on a pool's)`);
  return r as Pool<any, any>;
}

export function experiment(id: string): Experiment<any, any> {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) throw new RangeError(`unknown experiment "${id}"; expected one of ${EXPERIMENTS.map((x) => x.id).join(', ')}`);
  return e;
}
