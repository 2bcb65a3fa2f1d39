/**
 * tensor.ts and the ops modules import each other (Tensor methods call ops; ops create Tensors). That circle is safe only
 * while no module uses another's exports during its own evaluation. This test loads every source module first, in a
 * fresh module registry (as a fresh process would), then runs a forward and backward through every op family, so an
 * import order that breaks at load time fails here instead of in a user's program.
 */
import { readdirSync, statSync } from 'fs';
import { join, relative } from 'path';

const SRC = join(__dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative(SRC, path)] : [];
  });
}

const modules = sources(SRC);

test('the sweep sees every ops module and the engine', () => {
  expect(modules).toEqual(expect.arrayContaining(['tensor.ts', 'index.ts', join('autograd', 'engine.ts'), join('ops', 'binary.ts'), join('ops', 'unary.ts')]));
  expect(modules.filter((m) => m.startsWith('ops')).length).toBeGreaterThanOrEqual(9);
});

test.each(modules)('loading %s first, then a backward through every op family', (first) => {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(SRC, first));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tg = require(join(SRC, 'index.ts')) as typeof import('../src/index');
    const x = tg.tensor([[0.5, -1], [2, 0.25]], { dtype: 'float64', requiresGrad: true });
    const w = tg.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    const h = x.matmul(w).tanh().add(x.exp().mul(0.5)).softmax(-1);                 // linalg, unary, binary, softmax
    const picked = h.gather(1, [[1], [0]]).indexSelect(0, [1, 0]);                   // indexing
    const shaped = tg.cat([picked.transpose(0, 1), picked.reshape([1, 2])]).pad([1, 0]); // shape
    const loss = shaped.sum().add(tg.where(x.gt(0), x, 0).max()).add(x.to('float32').to('float64').mean());
    loss.backward();
    expect(x.grad!.shape).toEqual([2, 2]);
    expect(w.grad!.shape).toEqual([2, 2]);
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });
});
