// Progress display: a bar per experiment and an overall ETA on a terminal, plain lines otherwise.
import type { Progress, RunSpec } from './runner.ts';

const fmtTime = (s: number) =>
  !Number.isFinite(s)
    ? '?'
    : s < 60
      ? `${Math.round(s)}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
        : `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
export { fmtTime };

export function progressPrinter(specs: readonly RunSpec[], tty = Boolean(process.stdout.isTTY)) {
  const ids = [...new Set(specs.map((s) => s.experiment))];
  const totalCost = specs.reduce((s, r) => s + r.cost, 0);
  let drawn = 0;
  let lastPlain = -1;
  return (p: Progress) => {
    const doneCost = p.done.reduce((s, r) => s + r.cost, 0);
    const frac = totalCost ? doneCost / totalCost : 1;
    const eta = frac > 0 ? (p.elapsed * (1 - frac)) / frac : Infinity;
    if (tty) {
      const bar = (f: number, w = 24) => '█'.repeat(Math.round(f * w)).padEnd(w, '·');
      const lines = ids.map((id) => {
        const all = specs.filter((s) => s.experiment === id),
          done = p.done.filter((s) => s.experiment === id);
        return `${id.padEnd(10)} ${bar(done.length / all.length)} ${String(done.length).padStart(3)}/${all.length}`;
      });
      lines.push(
        `${'overall'.padEnd(10)} ${bar(frac)} ${(100 * frac).toFixed(0).padStart(3)}%  elapsed ${fmtTime(p.elapsed)}, ETA ${fmtTime(eta)}`,
      );
      process.stdout.write((drawn ? `\x1b[${drawn}A` : '') + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    } else {
      // one line per completed run would flood CI logs on big profiles: at most one per percent
      const pct = Math.floor(100 * frac);
      if (pct === lastPlain && p.done.length !== specs.length) return;
      lastPlain = pct;
      const r = p.last!;
      const e = specs.filter((s) => s.experiment === r.experiment);
      console.log(
        `[${String(pct).padStart(3)}%] ${r.experiment} ${p.done.filter((s) => s.experiment === r.experiment).length}/${e.length} (${r.setting}, seed ${r.seed}: ${r.seconds.toFixed(1)} s) · ${p.done.length}/${specs.length} runs · elapsed ${fmtTime(p.elapsed)}, ETA ${fmtTime(eta)}`,
      );
    }
  };
}
