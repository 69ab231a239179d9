/**
 * An error answered the way AWS JSON 1.1 services answer: an HTTP status and a body
 * `{"__type": "<Code>", "message": "..."}` (the SDK and the AWS CLI read the code from `__type`).
 */
export class FirehoseApiError extends Error {
  constructor(
    readonly code: FirehoseErrorCode,
    message: string,
    readonly status = code === 'ServiceUnavailableException' ? 503 : 400,
  ) {
    super(message);
  }

  body(): { __type: string; message: string } {
    return { __type: this.code, message: this.message };
  }
}

export type FirehoseErrorCode =
  // Firehose's modelled errors for the operations the endpoint serves.
  | 'ResourceNotFoundException'
  | 'InvalidArgumentException'
  | 'ServiceUnavailableException'
  // Errors of the AWS JSON protocol itself (any service).
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalFailure';

/** Firehose's wording for a constraint failure, e.g. a batch over 500 records. */
export function constraintViolation(path: string, constraint: string): FirehoseApiError {
  return new FirehoseApiError(
    'ValidationException',
    `1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}
