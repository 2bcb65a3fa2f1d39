/** The examples' progress bar: what it prints, when, and its time estimates (with a fake clock). */
import { ProgressBar, clock } from '../src/common.js';

test('clock formats seconds as m:ss and h:mm:ss', () => {
  expect([clock(0), clock(59.4), clock(61), clock(3600 + 62)]).toEqual(['0:00', '0:59', '1:01', '1:01:02']);
});

test('the bar shows count, fields, elapsed and remaining time from the average step', () => {
  let t = 0;
  const bar = new ProgressBar(40, { label: 'train', log: () => {}, now: () => t, width: 10 });
  t = 20_000; // 10 steps in 20 s: 30 steps left at 2 s each
  expect(bar.render(10, { loss: '1.2345' })).toBe('train [###.......] 10/40  loss 1.2345  0:20 elapsed, 1:00 left');
  expect(bar.render(0)).toBe('train [..........]  0/40  0:20 elapsed, ? left');
});

test('without a terminal it prints one line per tenth of the way and nothing twice', () => {
  const lines: string[] = [];
  let t = 0;
  const bar = new ProgressBar(25, { log: (l) => lines.push(l), now: () => t });
  for (let i = 1; i <= 25; i++) {
    t += 100;
    bar.update(i, { loss: String(i) });
  }
  bar.finish();
  expect(lines).toHaveLength(10);
  expect(lines[0]).toMatch(/ 3\/25  loss 3 /);
  expect(lines[9]).toMatch(/25\/25  loss 25  0:03 elapsed, 0:00 left$/);
  expect(() => new ProgressBar(0)).toThrow(/ProgressBar: total must be a positive integer, got 0/);
});
