// Ends with an event still waiting for its batch: closeOnShutdown delivers it before the process exits.
import { closeOnShutdown, createTracker } from '../../../tracker/index';
import { event, printingClient } from './printing-client';

const tracker = createTracker({
  deliveryStreamName: 'clicks',
  client: printingClient(),
  flushIntervalMs: 3_600_000,
});
closeOnShutdown(tracker);
tracker.track(event);
