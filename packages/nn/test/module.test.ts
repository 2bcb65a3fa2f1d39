/** Module: parameter discovery by field walking, names, buffers, modes, state dicts, apply, dtype conversion, repr. */
import { Generator, Tensor, ones, randn, tensor, zeros } from '@tensorgrad/core';
import { BatchNorm1d, Dropout, Linear, MLP, Module, ReLU, Sequential, functionalCall, parameter } from '../src/index.js';

class Block extends Module {
  fc1 = new Linear(3, 4);
  act = new ReLU();
  fc2 = new Linear(4, 2, { bias: false });
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class Net extends Module {
  encoder = new Block();
  heads = [new Linear(2, 1), new Linear(2, 3)];
  scale = parameter(tensor([2]));
  constant = tensor([1, 2, 3]);
  options = { depth: 2 };
  bn = new BatchNorm1d(2);
  forward(x: Tensor): Tensor {
    return this.heads[0].forward(this.bn.forward(this.encoder.forward(x))).mul(this.scale);
  }
}

const names = (m: Module) => [...m.namedParameters()].map(([n]) => n);

describe('parameter discovery', () => {
  test('walks fields in declaration order with dotted names like PyTorch', () => {
    expect(names(new Net())).toEqual([
      'scale', 'encoder.fc1.weight', 'encoder.fc1.bias', 'encoder.fc2.weight',
      'heads.0.weight', 'heads.0.bias', 'heads.1.weight', 'heads.1.bias', 'bn.weight', 'bn.bias',
    ]);
    expect(names(new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1)))).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  test('a plain tensor field is not a parameter, a requiresGrad one is', () => {
    class Custom extends Module {
      w = randn([2, 2], { requiresGrad: true });
      c = randn([2]);
      forward(x: Tensor): Tensor {
        return x.matmul(this.w).add(this.c);
      }
    }
    expect(names(new Custom())).toEqual(['w']);
  });

  test('children, namedChildren, modules and namedModules', () => {
    const net = new Net();
    expect([...net.namedChildren()].map(([n]) => n)).toEqual(['encoder', 'heads.0', 'heads.1', 'bn']);
    expect([...net.children()]).toHaveLength(4);
    expect([...net.namedModules()].map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ':Net', 'encoder:Block', 'encoder.fc1:Linear', 'encoder.act:ReLU', 'encoder.fc2:Linear', 'heads.0:Linear', 'heads.1:Linear', 'bn:BatchNorm1d',
    ]);
    expect([...net.modules()]).toHaveLength(8);
  });

  test('shared modules and parameters are listed once; cycles do not loop', () => {
    const shared = new Linear(2, 2);
    class Tied extends Module {
      a = shared;
      b = shared;
      self: Module = this;
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x));
      }
    }
    const t = new Tied();
    expect(names(t)).toEqual(['a.weight', 'a.bias']);
    expect(t.numParameters()).toBe(6);
    expect([...t.modules()]).toHaveLength(2);
    expect(t.toString()).toContain('(self): <cycle: Tied>');
  });

  test('numParameters counts scalars; frozen parameters stay parameters', () => {
    const mlp = new MLP([784, 128, 10]);
    expect(mlp.numParameters()).toBe(784 * 128 + 128 + 128 * 10 + 10);
    mlp.at(0).requiresGrad(false);
    expect(mlp.numParameters()).toBe(101770);
    expect(mlp.numParameters({ trainableOnly: true })).toBe(1290);
    expect(Object.keys(mlp.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const lin = new Linear(2, 2);
    lin.weight.requiresGrad = false;
    expect(names(lin)).toEqual(['weight', 'bias']);
  });
});

describe('buffers', () => {
  test('BatchNorm running stats are buffers: in the state dict, not in parameters', () => {
    const bn = new BatchNorm1d(3);
    expect(names(bn)).toEqual(['weight', 'bias']);
    expect([...bn.namedBuffers()].map(([n]) => n)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  });

  test('registerBuffer: persistent and non-persistent', () => {
    class WithBuffers extends Module {
      declare mask: Tensor;
      declare cache: Tensor;
      constructor() {
        super();
        this.registerBuffer('mask', tensor([1, 0, 1]));
        this.registerBuffer('cache', zeros([2]), { persistent: false });
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.mask);
      }
    }
    const m = new WithBuffers();
    expect(m.buffers()).toHaveLength(2);
    expect(Object.keys(m.stateDict())).toEqual(['mask']);
    m.to('float64');
    expect(m.mask.dtype).toBe('float64');
    expect(m.cache.dtype).toBe('float64');
    expect(() => m.registerBuffer('a.b', zeros([1]))).toThrow('registerBuffer: invalid buffer name "a.b"');
  });
});

describe('modes and gradients', () => {
  test('train() / eval() set training on the whole tree', () => {
    const net = new Net();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect([...net.modules()].some((m) => m.training)).toBe(false);
    net.train();
    expect(net.encoder.fc1.training).toBe(true);
  });

  test('zeroGrad clears every gradient', () => {
    const mlp = new MLP([3, 4, 2]);
    mlp.forward(randn([5, 3])).sum().backward();
    expect(mlp.parameters().every((p) => p.grad instanceof Tensor)).toBe(true);
    mlp.zeroGrad();
    expect(mlp.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test('call() is forward()', () => {
    const lin = new Linear(2, 1);
    const x = randn([3, 2]);
    expect(lin.call(x).toArray()).toEqual(lin.forward(x).toArray());
  });

  test('apply visits children first, then the module', () => {
    const order: string[] = [];
    new Sequential(new Linear(1, 1), new Sequential(new ReLU())).apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
  });
});

describe('state dicts', () => {
  test('round trip restores outputs exactly, and the snapshot does not follow later changes', () => {
    const a = new Net();
    const b = new Net();
    a.bn.forward(randn([4, 2]));
    const x = randn([5, 3]);
    const saved = a.stateDict();
    expect(Object.keys(saved)).toEqual([...names(a), 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    b.loadStateDict(saved);
    a.eval();
    b.eval();
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    const before = saved['encoder.fc1.weight'].toArray();
    a.loadStateDict({ ...a.stateDict(), 'encoder.fc1.weight': zeros([4, 3]) });
    expect(saved['encoder.fc1.weight'].toArray()).toEqual(before);
  });

  test("state dicts saved with BatchNorm's old camelCase buffer names still load, nested and at the root", () => {
    const a = new Net();
    a.bn.forward(randn([4, 2], { generator: new Generator(3) }));
    const legacy: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(a.stateDict())) {
      legacy[k.replace('running_mean', 'runningMean').replace('running_var', 'runningVar').replace('num_batches_tracked', 'numBatchesTracked')] = v;
    }
    expect(Object.keys(legacy)).toContain('bn.runningMean');
    const b = new Net();
    expect(b.loadStateDict(legacy)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of Object.entries(a.stateDict())) expect(b.stateDict()[k].toArray()).toEqual(v.toArray());
    const bn = new BatchNorm1d(2);
    bn.loadStateDict({ weight: ones([2]), bias: zeros([2]), runningMean: tensor([1, 2]), runningVar: tensor([3, 4]), numBatchesTracked: tensor(5, { dtype: 'int32' }) });
    expect([bn.running_mean!.toArray(), bn.running_var!.toArray(), bn.num_batches_tracked!.item()]).toEqual([[1, 2], [3, 4], 5]);
    // The input record is left as it was, and a typo is still an unexpected key.
    expect(Object.keys(legacy)).toContain('bn.runningMean');
    expect(() => bn.loadStateDict({ ...bn.stateDict(), runningMeen: zeros([2]) })).toThrow("unexpected key 'runningMeen'");
  });

  test('loading copies in place, so optimizers holding the parameters keep working', () => {
    const lin = new Linear(2, 2);
    const weight = lin.weight;
    lin.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: tensor([5, 6]) });
    expect(lin.weight).toBe(weight);
    expect(lin.weight.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(lin.weight.requiresGrad).toBe(true);
  });

  test('every problem is listed in one error and nothing is modified', () => {
    const mlp = new MLP([2, 3, 1]);
    const before = mlp.stateDict();
    const bad = { '0.weight': zeros([3, 2]), '0.bias': zeros([4]), '2.weight': zeros([1, 3]), extra: zeros([1]) };
    let message = '';
    try {
      mlp.loadStateDict(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('loadStateDict: 3 problem(s) loading into MLP, nothing was modified');
    expect(message).toContain("missing key '2.bias'");
    expect(message).toContain("unexpected key 'extra'");
    expect(message).toContain("shape mismatch for '0.bias': the module has [3], the record has [4]");
    const after = mlp.stateDict();
    for (const k of Object.keys(before)) expect(after[k].toArray()).toEqual(before[k].toArray());
  });

  test('strict: false loads the matching names and reports the rest; shape mismatches still throw', () => {
    const mlp = new MLP([2, 3, 1]);
    const result = mlp.loadStateDict({ '0.bias': tensor([1, 2, 3]), other: zeros([2]) }, { strict: false });
    expect(result.unexpectedKeys).toEqual(['other']);
    expect(result.missingKeys).toEqual(['0.weight', '2.weight', '2.bias']);
    expect(mlp.at(0).stateDict().bias.toArray()).toEqual([1, 2, 3]);
    expect(() => mlp.loadStateDict({ '0.bias': zeros([2]) }, { strict: false })).toThrow("shape mismatch for '0.bias'");
    expect(() => mlp.loadStateDict({ '0.bias': [1, 2, 3] as unknown as Tensor }, { strict: false })).toThrow("'0.bias' is not a Tensor");
  });

  test('values of another dtype are converted to the parameter dtype', () => {
    const lin = new Linear(1, 1, { bias: false });
    lin.loadStateDict({ weight: tensor([[0.1]], { dtype: 'float64' }) });
    expect(lin.weight.dtype).toBe('float32');
    expect(lin.weight.item()).toBeCloseTo(0.1, 7);
  });
});

describe('to(dtype)', () => {
  test('converts parameters and buffers and keeps them parameters', () => {
    const mlp = new MLP([2, 3, 1], { norm: 'batch' });
    mlp.to('float64');
    expect(mlp.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(mlp.buffers().filter((b) => b.dtype !== 'int32').every((b) => b.dtype === 'float64')).toBe(true);
    expect(mlp.forward(randn([4, 2], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('functionalCall', () => {
  test('runs forward with substituted tensors and restores the originals', () => {
    const lin = new Linear(2, 1);
    const original = lin.weight;
    const y = functionalCall(lin, { weight: tensor([[1, 1]]), bias: tensor([0]) }, tensor([[2, 3]]));
    expect(y.toArray()).toEqual([[5]]);
    expect(lin.weight).toBe(original);
    expect(() => functionalCall(lin, { nope: zeros([1]) }, tensor([[2, 3]]))).toThrow("functionalCall: Linear has no parameter or buffer named 'nope'");
  });
});

describe('toString', () => {
  test('PyTorch-like summary with parameter counts', () => {
    const net = new Sequential(new Linear(2, 16), new ReLU(), new Dropout(0.1), new Linear(16, 1));
    expect(net.toString()).toBe([
      'Sequential(',
      '  (0): Linear(inFeatures=2, outFeatures=16, bias=true)  # 48 params',
      '  (1): ReLU()',
      '  (2): Dropout(p=0.1)',
      '  (3): Linear(inFeatures=16, outFeatures=1, bias=true)  # 17 params',
      ')  # 65 params',
      'Total parameters: 65',
    ].join('\n'));
    expect(String(new Block())).toContain('  (fc2): Linear(inFeatures=4, outFeatures=2, bias=false)  # 8 params');
  });
});
