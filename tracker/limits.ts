import { MAX_RECORD_BYTES } from '../contract/index';

/**
 * PutRecordBatch's fixed limits (AWS: "Each PutRecordBatch request supports up to 500 records. Each
 * record in the request can be as large as 1,000 KB (before base64 encoding), up to a limit of 4 MB
 * for the entire request. These limits cannot be changed."; the quota page says 4 MiB per call).
 * Sizes count the record bytes the tracker sends, before the SDK's base64 encoding.
 */
export const PUT_RECORD_BATCH_LIMITS = {
  maxRecords: 500,
  maxRequestBytes: 4 * 1024 * 1024,
  maxRecordBytes: MAX_RECORD_BYTES,
} as const;
