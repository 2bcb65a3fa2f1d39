/** The table-driven erf against the slow series/continued-fraction reference it is built from, and known values. */
import { erf, erfReference } from '../../src/kernels/unary';

describe('erf kernel', () => {
  test('matches the reference to a few ulps over [-7, 7], including every interval edge', () => {
    let maxRel = 0;
    const points: number[] = [];
    for (let i = 0; i <= 200_000; i++) points.push(-7 + (14 * i) / 200_000);
    for (let e = 0.5; e <= 6; e += 1 / 8) points.push(e, -e, e - 1e-12, e + 1e-12);
    // The Taylor polynomial below 0.5: dense near 0 and up to the switch.
    for (let i = 1; i <= 20_000; i++) points.push(0.5 * (i / 20_000) ** 3, -0.5 * (i / 20_000), 1e-300 * i, 0.5 - i * 1e-17);
    for (const x of points) {
      const ref = erfReference(x);
      maxRel = Math.max(maxRel, Math.abs(erf(x) - ref) / Math.max(Math.abs(ref), 1e-300));
    }
    expect(maxRel).toBeLessThan(1e-14);
  });

  test('known values (Python math.erf) and special inputs', () => {
    const cases: [number, number][] = [[0.5, 0.5204998778130465], [0.75, 0.7111556336535151], [1.3, 0.9340079449406524],
      [2.2, 0.9981371537020182], [3.7, 0.9999998328489421], [-0.1, -0.1124629160182849], [1e-10, 1.1283791670955126e-10]];
    for (const [x, v] of cases) expect(Math.abs(erf(x) - v) / Math.abs(v)).toBeLessThan(1e-14);
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
});
