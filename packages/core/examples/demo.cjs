// A first look at @tensorgrad/core: build a small graph, backpropagate, print values and gradients.
// Run from the repository root with `npx -y pnpm@12.4.2 demo` (it builds the packages first).
const tg = require('@tensorgrad/core');

tg.manualSeed(0);
const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
const w = tg.tensor([0.5, -1], { requiresGrad: true });
const b = tg.tensor(0.1, { requiresGrad: true });

// y = tanh(x·w + b), loss = mean(y²)
const y = x.matmul(w).add(b).tanh();
const loss = y.square().mean();
loss.backward();

console.log('y    =', y.toString());
console.log('loss =', loss.item().toFixed(6));
console.log('dloss/dx =', x.grad.toString());
console.log('dloss/dw =', w.grad.toString());
console.log('dloss/db =', b.grad.toString());

// The same gradients, checked against finite differences in float64.
const check = tg.gradcheck(
  (xx, ww, bb) => xx.matmul(ww).add(bb).tanh().square().mean(),
  [x, w, b].map((t) => t.detach().to('float64').requiresGrad_()),
);
console.log(check.message);
