// A server-like process (kept alive by an interval) that is sent SIGTERM with an event buffered.
import { closeOnShutdown, createTracker } from '../../../tracker/index';
import { event, printingClient } from './printing-client';

const tracker = createTracker({
  deliveryStreamName: 'clicks',
  client: printingClient(),
  flushIntervalMs: 3_600_000,
});
closeOnShutdown(tracker);
tracker.track(event);
setInterval(() => {}, 1000);
process.stdout.write('ready\n');
