// An event is buffered under closeOnShutdown. `script`: the process then ends on its own.
// `server`: an interval keeps it alive (as a server's sockets would) until it is signalled.
import { closeOnShutdown, createTracker } from '../../../tracker/index';
import { event, printingClient } from './printing-client';

const tracker = createTracker({
  deliveryStreamName: 'clicks',
  client: printingClient(),
  flushIntervalMs: 3_600_000,
});
closeOnShutdown(tracker);
tracker.track(event);
if (process.argv[2] === 'server') {
  setInterval(() => {}, 1000);
  process.stdout.write('ready\n');
}
