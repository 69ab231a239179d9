export type { WireEvent } from '../contract/index';
export { PUT_RECORD_BATCH_LIMITS } from '../contract/index';
export {
  type DeliveryError,
  type PutRecordBatchClient,
  type RetryPolicy,
  type TrackerOptions,
  TrackerOptionsError,
  type UndeliveredEvent,
} from './options';
export { closeOnShutdown, flushAfter, type ShutdownOptions } from './shutdown';
export {
  createTracker,
  type FlushOptions,
  type Tracker,
  type TrackerStats,
  type TrackInput,
  type TrackRefusalReason,
  type TrackResult,
} from './tracker';
