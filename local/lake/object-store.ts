/**
 * The object-store port: what the local pipeline needs from S3. Keys are S3-style (`a/b/c.gz`,
 * no leading slash); the lake directory implements it on the local file system.
 */
export interface ObjectStore {
  /** Stores an object; readers see either nothing or the whole object, never a partial one. */
  put(key: string, body: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}
