/** A mistake in how a command was called (bad argument, unknown name): exit code 2, message only. */
export class UsageError extends Error {
  override name = 'UsageError';
}
