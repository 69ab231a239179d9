import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FirehoseApiError } from './api-error';
import { MAX_REQUEST_BODY_BYTES } from './limits';
import {
  type DeliveryStreamTarget,
  describeDeliveryStream,
  type JsonObject,
  type LocalOperations,
  listDeliveryStreams,
  putRecord,
  putRecordBatch,
  type Streams,
} from './operations';

export interface FirehoseEndpointOptions {
  streams: DeliveryStreamTarget[];
  /** @default '127.0.0.1' (loopback only: the endpoint accepts any credentials) */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '000000000000' */
  accountId?: string;
  /** Extra operations under the `ClickstreamLocal.` target prefix (flush, stats). */
  local?: LocalOperations;
  /** Called with errors that are not the client's fault (they are answered with InternalFailure). */
  onInternalError?: (error: unknown) => void;
  /**
   * Answers every request that is not a Firehose call (one without an `X-Amz-Target` header, other
   * than `POST /`): the summary API, the dashboard and its `/api/` routes on the same port.
   */
  routes?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** Takes WebSocket upgrade requests (`GET /live`); without it they are refused. */
  upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Whether a non-Firehose request may be answered, from its Host and Origin headers; refused ones
   * get 403 `forbidden`. Firehose calls are not checked (the SDK and the AWS CLI send no Origin).
   */
  allowRequest?: (request: IncomingMessage) => boolean;
}

export interface FirehoseEndpoint {
  /** `http://host:port`, for `FirehoseClient({ endpoint })` or `aws --endpoint-url`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';
const LOCAL_TARGET_PREFIX = 'ClickstreamLocal.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

type Operation = (input: JsonObject, streams: Streams) => JsonObject | Promise<JsonObject>;

const FIREHOSE_OPERATIONS: Record<string, Operation> = {
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  DescribeDeliveryStream: describeDeliveryStream,
  ListDeliveryStreams: listDeliveryStreams,
};

/**
 * A loopback HTTP server speaking Firehose's AWS JSON 1.1 protocol (POST /, `X-Amz-Target:
 * Firehose_20150804.<Operation>`), so the unmodified SDK and AWS CLI can target it with an
 * endpoint URL. Requests are signed with SigV4 by those clients; the signature is not checked.
 * Every failure is answered with an AWS-style error and never stops the server.
 */
export async function startFirehoseEndpoint(options: FirehoseEndpointOptions): Promise<FirehoseEndpoint> {
  const streams: Streams = {
    accountId: options.accountId ?? '000000000000',
    byName: new Map(options.streams.map((s) => [s.name, s])),
  };
  const server = createServer((request, response) => {
    const { routes } = options;
    if (routes !== undefined && !isFirehoseCall(request)) {
      if (options.allowRequest?.(request) === false) {
        replyForbidden(response);
        return;
      }
      routes(request, response).catch((error: unknown) => {
        options.onInternalError?.(error);
        response.destroy();
      });
      return;
    }
    handle(request, response, streams, options).catch((error: unknown) => {
      options.onInternalError?.(error);
      if (!response.headersSent)
        reply(response, 500, { __type: 'InternalFailure', message: 'internal error' });
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.upgrade === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    options.upgrade(request, socket, head);
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () => close(server),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  streams: Streams,
  options: FirehoseEndpointOptions,
): Promise<void> {
  try {
    const operation = operationFor(request, options.local);
    const body = await readBody(request);
    const input = parseInput(body);
    reply(response, 200, await operation(input, streams));
  } catch (error) {
    if (!(error instanceof FirehoseApiError)) throw error;
    if (error.status === 400 && request.readableEnded === false) response.setHeader('connection', 'close');
    reply(response, error.status, error.body());
  }
}

/** A Firehose call: any request naming an operation, and `POST /` (answered UnknownOperation without one, as before). */
function isFirehoseCall(request: IncomingMessage): boolean {
  if (request.headers['x-amz-target'] !== undefined) return true;
  return request.method === 'POST' && (request.url === '/' || request.url === '');
}

function replyForbidden(response: ServerResponse): void {
  const text = JSON.stringify({
    error: 'forbidden',
    message:
      'this server answers pages of its own origin on a loopback host name only (localhost, 127.0.0.1, [::1])',
  });
  response.writeHead(403, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function operationFor(request: IncomingMessage, local: LocalOperations | undefined): Operation {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string') {
    throw new FirehoseApiError('UnknownOperationException', 'expected POST / with an X-Amz-Target header');
  }
  // Own properties only: `constructor` or `__proto__` must not name an operation.
  if (target.startsWith(FIREHOSE_TARGET_PREFIX)) {
    const name = target.slice(FIREHOSE_TARGET_PREFIX.length);
    if (Object.hasOwn(FIREHOSE_OPERATIONS, name)) return FIREHOSE_OPERATIONS[name]!;
  } else if (target.startsWith(LOCAL_TARGET_PREFIX) && local !== undefined) {
    const name = target.slice(LOCAL_TARGET_PREFIX.length);
    const operation = Object.hasOwn(local, name) ? local[name] : undefined;
    if (operation !== undefined) return (input) => operation(input);
  }
  throw new FirehoseApiError('UnknownOperationException', `unknown operation ${JSON.stringify(target)}`);
}

/** Reads the body up to the size limit; past it, stops keeping bytes (the rest is drained). */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_REQUEST_BODY_BYTES) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) {
      request.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(): FirehoseApiError {
  return new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
}

function parseInput(body: Buffer): JsonObject {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new FirehoseApiError('SerializationException', 'the request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FirehoseApiError('SerializationException', 'the request body must be a JSON object');
  }
  return input as JsonObject;
}

function reply(response: ServerResponse, status: number, body: JsonObject): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

/** The port asked for is taken (by another clickstream serve, most likely). */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `${host}:${port} is already in use (another clickstream serve?); choose another --port`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
