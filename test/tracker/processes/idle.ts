// Tracks one event and does nothing else: the pending batch timer must not keep the process alive.
import { createTracker } from '../../../tracker/index';
import { event, printingClient } from './printing-client';

const tracker = createTracker({
  deliveryStreamName: 'clicks',
  client: printingClient(),
  flushIntervalMs: 3_600_000,
});
tracker.track(event);
