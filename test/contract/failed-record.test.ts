import { expect, it } from 'vitest';
import { ERROR_OUTPUT_TYPES, errorsPrefixFor } from '../../contract/index';

// The Firehose developer guide (custom prefixes: `!{firehose:error-output-type}`) and the API
// reference (S3BackupMode: "AmazonOpenSearchService-failed/ appended to the key prefix") name the
// folders Firehose writes failures of this product's stream under.
it('names the error-output-type folders exactly as Firehose writes them', () => {
  expect(ERROR_OUTPUT_TYPES).toEqual(['processing-failed', 'AmazonOpenSearchService-failed']);
});

it('puts OpenSearch delivery failures under errors/AmazonOpenSearchService-failed/', () => {
  expect(errorsPrefixFor('AmazonOpenSearchService-failed', Date.UTC(2026, 10, 22, 7))).toBe(
    'errors/AmazonOpenSearchService-failed/dt=2026-11-22/',
  );
});
