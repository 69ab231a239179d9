import { MAX_RECORD_BYTES } from '../../contract';

/** PutRecordBatch's limits, which AWS states cannot be changed. */
export const FIREHOSE_LIMITS = {
  maxRecordsPerBatch: 500,
  /** Sum of the decoded record sizes in one PutRecordBatch request (4 MiB). */
  maxBatchBytes: 4 * 1024 * 1024,
  /** One record's decoded size (1,000 KiB). */
  maxRecordBytes: MAX_RECORD_BYTES,
  /** Delivery stream names: 1-64 characters of `[a-zA-Z0-9_.-]`. */
  streamName: /^[a-zA-Z0-9_.-]{1,64}$/,
} as const;

/**
 * The largest HTTP body worth reading: 4 MiB of data is at most 5.6 MiB once base64-encoded, plus
 * the JSON around it. A bigger body cannot be a valid request, so it is refused without being kept.
 */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
