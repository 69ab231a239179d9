import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../local/lake/object-store';

/** What the adapter needs from an S3 client (an `S3Client` satisfies it). */
export type S3Sender = Pick<S3Client, 'send'>;

/**
 * The object-store port on an S3 bucket, for reading a deployed stack's `errors/` and writing the
 * redrive record. Keys are listed page by page (1,000 per page) until S3 says there are no more.
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Sender,
    readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
  }

  async get(key: string): Promise<Buffer> {
    const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (answer.Body === undefined) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return Buffer.from(await answer.Body.transformToByteArray());
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }
}
