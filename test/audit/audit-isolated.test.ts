// loadIsolated, the worker thread a module candidate's calls run in: what reaches the stand-in
// candidate from the module's default export (and only what it declares), how a candidate's errors,
// a call that never answers, a worker that dies and a close during a call come back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCandidate } from '../../src/verify/audit/index.ts';
import { loadIsolated } from '../../src/verify/audit/isolated.ts';

const dir = mkdtempSync(join(tmpdir(), 'dropcheck-isolated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A module of this source, loaded in a worker. */
async function load(source: string, timeoutMs = 10_000) {
  const path = join(dir, `m${++files}.mjs`);
  writeFileSync(path, source);
  return loadIsolated(pathToFileURL(path).href, timeoutMs);
}
type Calls = Record<'forward', (...a: unknown[]) => Promise<unknown>>;
const x = Float64Array.of(1, 2, 3);

describe('a module candidate in a worker thread', () => {
  it('a default export that is not an object comes back as it is, for checkCandidate to refuse', async () => {
    const m = await load('export default 3;');
    m.close();
    expect(m.candidate).toBe(3);
    expect(() => checkCandidate(m.candidate, 'm.mjs')).toThrow(
      'm.mjs: expected an object { name, convention, forward, vjp? }, got 3',
    );
  });

  it('its fields as declared: precision only when declared, a forward that is not a function as its value', async () => {
    const plain = await load("export default { name: 'n', convention: 'inverted', forward: (x) => x.slice() };");
    plain.close();
    expect(Object.keys(plain.candidate as object).sort()).toEqual(['convention', 'forward', 'name', 'vjp']);
    expect(plain.candidate).toMatchObject({ name: 'n', convention: 'inverted', vjp: undefined });
    expect(typeof (plain.candidate as Calls).forward).toBe('function');
    const declared = await load(
      "export default { name: 'n', convention: 'scale-at-inference', precision: 'float32', forward: 'nope', vjp: 4 };",
    );
    declared.close();
    expect(declared.candidate).toMatchObject({ precision: 'float32', forward: 'nope', vjp: 4 });
  });

  it("a candidate's error keeps its name and message; anything else thrown comes back as it was", async () => {
    const m = await load(
      `export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate < 0) throw new RangeError('rate out of range');
        throw 'a string';
      } };`,
    );
    try {
      const c = m.candidate as Calls;
      const e = await c.forward(x, -1, true, 1).catch((e: unknown) => e);
      expect(e).toBeInstanceOf(Error);
      expect(e).toMatchObject({ name: 'RangeError', message: 'rate out of range' });
      await expect(c.forward(x, 0.5, true, 1)).rejects.toBe('a string');
    } finally {
      m.close();
    }
  });

  it('a call that does not answer in time stops the worker; the next call loads the module again', async () => {
    const m = await load(
      `export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate === 0.5) for (;;);
        return x.map((v) => 2 * v);
      } };`,
      500,
    );
    try {
      const c = m.candidate as Calls;
      await expect(c.forward(x, 0.5, true, 1)).rejects.toThrow(/^did not answer within 500 ms$/);
      // the looping worker was ended: this call runs in a fresh one
      expect(Array.from((await c.forward(x, 0.25, true, 1)) as Float64Array)).toEqual([2, 4, 6]);
    } finally {
      m.close();
    }
  }, 20_000);

  it('the worker of a call that did not answer is ended, and so is the last one at close', async () => {
    // each worker appends to a file every 20 ms once called at rate 0.5; a worker ended appends no more
    const ticks = join(dir, 'ticks');
    writeFileSync(ticks, '');
    const m = await load(
      `import { appendFileSync } from 'node:fs';
      export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate === 0.5) { setInterval(() => appendFileSync(${JSON.stringify(ticks)}, '.'), 20); return new Promise(() => {}); }
        return x;
      } };`,
      1000,
    );
    const c = m.candidate as Calls;
    const still = async () => {
      await new Promise((r) => setTimeout(r, 200));
      const before = readFileSync(ticks, 'utf8').length;
      await new Promise((r) => setTimeout(r, 300));
      return readFileSync(ticks, 'utf8').length === before;
    };
    try {
      await expect(c.forward(x, 0.5, true, 1)).rejects.toThrow(/^did not answer within 1000 ms$/);
      expect(await still()).toBe(true);
      await c.forward(x, 0.25, true, 1); // a fresh worker
      const pending = c.forward(x, 0.5, true, 1).catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
      m.close();
      await pending;
      expect(await still()).toBe(true);
      expect(readFileSync(ticks, 'utf8').length).toBeGreaterThan(0);
    } finally {
      m.close();
    }
  }, 20_000);

  it('a worker that dies fails the call with its error; closing during a call fails it too', async () => {
    const m = await load(
      `export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate === 0.5) setTimeout(() => { throw new Error('the worker died'); });
        return new Promise(() => {});
      } };`,
    );
    const c = m.candidate as Calls;
    await expect(c.forward(x, 0.5, true, 1)).rejects.toThrow(/^the worker died$/);
    const pending = c.forward(x, 0.25, true, 1);
    await new Promise((r) => setTimeout(r, 200));
    m.close();
    await expect(pending).rejects.toThrow(/^the worker was stopped$/);
    m.close(); // a second close does nothing
  }, 20_000);

  it('after a worker dies, or is closed during a call, later calls share one fresh worker', async () => {
    // the module counts its calls: a worker loaded again starts from 1
    const m = await load(
      `let calls = 0;
      export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate === 0.5) setTimeout(() => { throw new Error('the worker died'); });
        if (rate === 0.5 || rate === 0.75) return new Promise(() => {});
        return Float64Array.of(++calls);
      } };`,
    );
    const c = m.candidate as Calls;
    const count = async () => Array.from((await c.forward(x, 0.25, true, 1)) as Float64Array);
    try {
      await expect(c.forward(x, 0.5, true, 1)).rejects.toThrow(/^the worker died$/);
      expect([await count(), await count()]).toEqual([[1], [2]]);
      const pending = c.forward(x, 0.75, true, 1);
      await new Promise((r) => setTimeout(r, 100));
      m.close();
      await expect(pending).rejects.toThrow(/^the worker was stopped$/);
      expect([await count(), await count()]).toEqual([[1], [2]]);
    } finally {
      m.close();
    }
  }, 20_000);

  it('a candidate that ends its worker fails that call with the exit code; the next call has a fresh worker', async () => {
    const m = await load(
      `export default { name: 'n', convention: 'inverted', forward(x, rate) {
        if (rate === 0.5) process.exit(3);
        return x.map((v) => -v);
      } };`,
    );
    const c = m.candidate as Calls;
    try {
      await expect(c.forward(x, 0.5, true, 1)).rejects.toThrow(/^the worker exited with code 3$/);
      expect(Array.from((await c.forward(x, 0.25, true, 1)) as Float64Array)).toEqual([-1, -2, -3]);
    } finally {
      m.close();
    }
  });

  it('a worker that dies while the module loads fails the load with its error', async () => {
    await expect(
      load(
        "setTimeout(() => { throw new Error('died loading'); }); await new Promise((r) => setTimeout(r, 5000)); export default {};",
      ),
    ).rejects.toThrow(/^died loading$/);
  });
});
