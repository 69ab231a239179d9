import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOnShutdown, createTracker, flushAfter } from '../../tracker/index';
import { anEvent, ScriptedFirehose } from './scripted-firehose';

afterEach(() => {
  vi.restoreAllMocks();
});

function setUp() {
  const firehose = new ScriptedFirehose();
  const tracker = createTracker({
    deliveryStreamName: 'clicks',
    client: firehose,
    flushIntervalMs: 3_600_000,
  });
  return { firehose, tracker };
}

describe('flushAfter (Lambda)', () => {
  it('delivers what the handler tracked before returning its result', async () => {
    const { firehose, tracker } = setUp();
    const handler = flushAfter(tracker, async (event: { n: number }) => {
      tracker.track(anEvent());
      return { statusCode: 200, body: String(event.n) };
    });

    const result = await handler({ n: 7 });

    expect(result).toEqual({ statusCode: 200, body: '7' });
    expect(firehose.deliveredIds).toHaveLength(1);
  });

  it('delivers what the handler tracked before passing its error on', async () => {
    const { firehose, tracker } = setUp();
    const handler = flushAfter(tracker, async () => {
      tracker.track(anEvent());
      throw new Error('handler failed');
    });

    await expect(handler()).rejects.toThrow('handler failed');
    expect(firehose.deliveredIds).toHaveLength(1);
  });
});

describe('closeOnShutdown (servers)', () => {
  it("closes the trackers on a signal and leaves ending the process to the application's own handler", async () => {
    const { firehose, tracker } = setUp();
    const appHandler = vi.fn();
    // SIGUSR2 stands in for SIGTERM, which the test runner's worker handles itself.
    process.on('SIGUSR2', appHandler);
    const uninstall = closeOnShutdown(tracker, { signals: ['SIGUSR2'] });
    tracker.track(anEvent());

    process.kill(process.pid, 'SIGUSR2');
    await vi.waitFor(() => expect(firehose.deliveredIds).toHaveLength(1));
    await tracker.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('SIGUSR2', appHandler);
    uninstall();

    expect(tracker.track(anEvent())).toMatchObject({ ok: false, reason: 'closed' });
    expect(appHandler).toHaveBeenCalledTimes(1);
  });

  it('removes its listeners when uninstalled', () => {
    const { tracker } = setUp();
    const before = ['SIGTERM', 'SIGINT', 'beforeExit'].map((name) => process.listenerCount(name));

    const uninstall = closeOnShutdown(tracker);
    const installed = ['SIGTERM', 'SIGINT', 'beforeExit'].map((name) => process.listenerCount(name));
    uninstall();

    expect(installed).toEqual(before.map((count) => count + 1));
    expect(['SIGTERM', 'SIGINT', 'beforeExit'].map((name) => process.listenerCount(name))).toEqual(before);
  });
});
