// Awaits a flush whose only pending work is a backoff timer: the process must wait for it.
import { createTracker } from '../../../tracker/index';
import { event, printingClient } from './printing-client';

const tracker = createTracker({
  deliveryStreamName: 'clicks',
  client: printingClient(1),
  retry: { baseDelayMs: 300, jitter: 'none' },
});
tracker.track(event);
await tracker.flush();
process.stdout.write(`delivered ${tracker.stats().delivered}\n`);
