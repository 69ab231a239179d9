import { FirehoseApiError } from '../../../local/firehose-endpoint/api-error';
import type { DeliveryStreamTarget } from '../../../local/firehose-endpoint/operations';

/** A delivery stream that keeps what it is given, for endpoint tests. */
export class RecordingStream implements DeliveryStreamTarget {
  readonly received: Buffer[] = [];
  /** When set, the next put fails with ServiceUnavailableException. */
  unavailable = false;

  constructor(readonly name: string) {}

  describe(): Record<string, unknown> {
    return {
      DeliveryStreamName: this.name,
      DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${this.name}`,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      Destinations: [],
      HasMoreDestinations: false,
    };
  }

  async put(records: Buffer[]): Promise<string[]> {
    if (this.unavailable) throw new FirehoseApiError('ServiceUnavailableException', 'Slow down.');
    this.received.push(...records);
    return records.map((_, i) => `record-${this.received.length - records.length + i}`);
  }
}
