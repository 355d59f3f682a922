// Every experiment, in report order.
import { eRidge } from './e-ridge.ts';
import type { Experiment } from './framework.ts';
import { mK50 } from './m-k50.ts';
import { xGauss } from './x-gauss.ts';
import { xKeep } from './x-keep.ts';
import { xMaxnorm } from './x-maxnorm.ts';
import { xOverfit } from './x-overfit.ts';
import { xSize } from './x-size.ts';
import { xSparse } from './x-sparse.ts';
import { xUnderfit } from './x-underfit.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [xOverfit, xUnderfit, xKeep, xSize, mK50, xSparse, xGauss, xMaxnorm, eRidge];

export function experiment(id: string): Experiment<any, any> {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) throw new RangeError(`unknown experiment "${id}"; expected one of ${EXPERIMENTS.map((x) => x.id).join(', ')}`);
  return e;
}
