// Every experiment, in report order.
import { eRidge } from '../claims/e-ridge.ts';
import type { Experiment, Pool } from './experiment.ts';
import { mnistNets } from '../mnist/networks.ts';
import { mnistTune } from '../mnist/tune.ts';
import { mK50 } from '../claims/m-k50.ts';
import { xGauss } from '../claims/x-gauss.ts';
import { xKeep } from '../claims/x-keep.ts';
import { xMaxnorm } from '../claims/x-maxnorm.ts';
import { xOverfit } from '../claims/x-overfit.ts';
import { xSize } from '../claims/x-size.ts';
import { xSparse } from '../claims/x-sparse.ts';
import { xUnderfit } from '../claims/x-underfit.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [
  xOverfit,
  xUnderfit,
  xKeep,
  xSize,
  mK50,
  xSparse,
  xGauss,
  xMaxnorm,
  eRidge,
];

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
  if (!e)
    throw new RangeError(`unknown experiment "${id}"; expected one of ${EXPERIMENTS.map((x) => x.id).join(', ')}`);
  return e;
}
