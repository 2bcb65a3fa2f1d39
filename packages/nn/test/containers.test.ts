/** ModuleList, ModuleDict, and the field walk refusing modules it would otherwise silently miss. */
import { Tensor, tensor, zeros } from '@tensorgrad/core';
import { Linear, Module, ModuleDict, ModuleList, ReLU, parameter } from '../src/index.js';

class Stack extends Module {
  layers = new ModuleList([new Linear(2, 3), new Linear(3, 3)]);
  heads = new ModuleDict({ cls: new Linear(3, 2), reg: new Linear(3, 1) });

  forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = layer.forward(x).relu();
    return this.heads.get('cls').forward(x);
  }
}

describe('ModuleList', () => {
  test('state-dict names are PyTorch\'s (layers.0.weight), in order; list[i], get(i) and iteration agree', () => {
    const m = new Stack();
    expect(Object.keys(m.stateDict())).toEqual([
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias',
      'heads.cls.weight', 'heads.cls.bias', 'heads.reg.weight', 'heads.reg.bias',
    ]);
    expect(m.layers[1]).toBe(m.layers.get(1));
    expect(m.layers.get(-1)).toBe(m.layers[1]);
    expect([...m.layers]).toEqual([m.layers[0], m.layers[1]]);
    expect(m.forward(zeros([4, 2])).shape).toEqual([4, 2]);
    expect(m.parameters()).toHaveLength(8);
  });

  test('push, append, extend, insert and set keep names contiguous; length follows', () => {
    const list = new ModuleList();
    expect(list.length).toBe(0);
    expect(list.push(new Linear(1, 1), new ReLU())).toBe(2);
    list.append(new Linear(1, 2)).extend([new Linear(2, 2)]);
    const inserted = new Linear(5, 5);
    list.insert(1, inserted);
    expect(list.length).toBe(5);
    expect(list.get(1)).toBe(inserted);
    expect(Object.keys(list.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias', '4.weight', '4.bias']);
    const replacement = new ReLU();
    list.set(-1, replacement);
    expect(list[4]).toBe(replacement);
  });

  test('bad entries and indices throw without changing the list; there is no forward', () => {
    const list = new ModuleList([new ReLU()]);
    expect(() => list.extend([new ReLU(), 3 as never])).toThrow(/ModuleList: entry 1 must be a Module, got number/);
    expect(list.length).toBe(1);
    expect(() => list.get(1)).toThrow(/ModuleList.get: index 1 out of range for 1 module\(s\)/);
    expect(() => list.insert(3, new ReLU())).toThrow(/index 3 out of range/);
    expect(() => list.forward()).toThrow(/ModuleList has no forward/);
  });
});

describe('ModuleDict', () => {
  test('get, set, has, delete, keys, values, entries, size and iteration', () => {
    const d = new ModuleDict([['a', new Linear(1, 1)]]);
    d.set('b', new ReLU());
    expect(d.keys()).toEqual(['a', 'b']);
    expect(d.has('a') && !d.has('c')).toBe(true);
    expect(d.size).toBe(2);
    expect([...d].map(([k]) => k)).toEqual(['a', 'b']);
    expect(d.values()[1]).toBeInstanceOf(ReLU);
    expect(d.delete('a')).toBeInstanceOf(Linear);
    expect(d.keys()).toEqual(['b']);
    expect(Object.keys(d.stateDict())).toEqual([]);
  });

  test('keys that are not names, or that are ModuleDict members, are refused before anything changes', () => {
    const d = new ModuleDict();
    expect(() => d.set('a.b', new ReLU())).toThrow(/keys must be non-empty strings without '\.'/);
    expect(() => d.set('training', new ReLU())).toThrow(/key 'training' is the name of a ModuleDict member/);
    expect(() => d.update({ ok: new ReLU(), get: new ReLU() })).toThrow(/key 'get'/);
    expect(d.size).toBe(0);
    expect(() => d.get('missing')).toThrow(/ModuleDict.get: no module under key 'missing'/);
    expect(() => d.forward()).toThrow(/ModuleDict has no forward/);
  });
});

describe('modules the field walk cannot see are an error, not silently dropped', () => {
  test.each([
    ['a plain object', () => ({ blocks: { enc: new Linear(2, 2) } }), /field 'blocks' keeps a Module or parameter at 'blocks\.enc' inside a plain object/],
    ['a Map', () => ({ blocks: new Map([['enc', new Linear(2, 2)]]) }), /'blocks\.enc' inside a Map/],
    ['a Set', () => ({ blocks: new Set([new Linear(2, 2)]) }), /'blocks\.<item 0>' inside a Set/],
    ['a nested array', () => ({ blocks: [[new Linear(2, 2)]] }), /'blocks\.0\.0' inside a nested array/],
    ['a parameter in an object', () => ({ extra: { scale: parameter(tensor([1])) } }), /'extra\.scale'/],
  ])('%s', (_name, fields, message) => {
    class Holder extends Module {
      constructor() {
        super();
        Object.assign(this, fields());
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new Holder();
    expect(() => m.parameters()).toThrow(message);
    expect(() => m.stateDict()).toThrow(/ModuleList or a ModuleDict/);
    expect(() => m.train()).toThrow(message);
  });

  test('objects holding only plain values, constant tensors or non-module class instances are fine', () => {
    class Fine extends Module {
      options = { dims: [1, 2], nested: { name: 'x' } };
      lookup = new Map([['a', 1]]);
      constant = { table: zeros([2]) };
      layers = [new Linear(1, 1)];
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(Object.keys(new Fine().stateDict())).toEqual(['layers.0.weight', 'layers.0.bias']);
  });
});
