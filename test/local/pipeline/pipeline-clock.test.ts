import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../local/pipeline/pipeline-clock';

describe('SimulatedClock', () => {
  it('runs the work due on the way, in time order, each at its own time, and stops at the target', async () => {
    const clock = new SimulatedClock(1_000);
    const ran: [string, number][] = [];
    clock.at(3_000, () => ran.push(['b', clock.now()]));
    clock.at(2_000, () => ran.push(['a', clock.now()]));
    clock.at(9_000, () => ran.push(['later', clock.now()]));

    await clock.advanceTo(5_000);

    expect(ran).toEqual([
      ['a', 2_000],
      ['b', 3_000],
    ]);
    expect(clock.now()).toBe(5_000);
    expect(clock.hasWorkDueBy(8_999)).toBe(false);
    expect(clock.hasWorkDueBy(9_000)).toBe(true);
  });

  it('waits for each piece of work before the clock moves on, and runs work it sets for a time already reached', async () => {
    const clock = new SimulatedClock(0);
    const seen: number[] = [];
    clock.at(10, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(clock.now());
      clock.at(20, () => seen.push(clock.now()));
      clock.at(5, () => seen.push(clock.now()));
    });

    await clock.advanceTo(30);

    expect(seen).toEqual([10, 10, 20]);
  });

  it('never goes back, and a cancelled piece of work does not run', async () => {
    const clock = new SimulatedClock(100);
    let ran = false;
    const cancel = clock.at(150, () => {
      ran = true;
    });
    cancel();

    await clock.advanceTo(200);
    await clock.advanceTo(50);

    expect(ran).toBe(false);
    expect(clock.now()).toBe(200);
  });
});
