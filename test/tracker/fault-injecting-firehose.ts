import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PUT_RECORD_BATCH_LIMITS } from '../../tracker/index';

/** What the server does with one PutRecordBatch request. */
export type Fault =
  | { kind: 'none' }
  | { kind: 'fail-records'; indexes: number[] }
  | { kind: 'error'; status: number; type: string }
  | { kind: 'drop-connection' };

export interface FaultInjectingFirehose {
  readonly url: string;
  /** Every record line Firehose accepted, in arrival order (duplicates possible, as in Firehose). */
  readonly accepted: string[];
  /** Requests refused for breaking a PutRecordBatch limit (a correct client makes none). */
  readonly limitViolations: string[];
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * A loopback server answering PutRecordBatch the way Firehose's AWS JSON 1.1 protocol does
 * (`X-Amz-Target: Firehose_20150804.PutRecordBatch`), with faults taken in order from `faults`
 * (then none). It checks the request limits but nothing else: the real local endpoint is
 * local/firehose-endpoint; this double exists to inject partial failures and dropped connections.
 */
export async function startFaultInjectingFirehose(faults: Fault[]): Promise<FaultInjectingFirehose> {
  const script = [...faults];
  const accepted: string[] = [];
  const limitViolations: string[] = [];

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    if (request.headers['x-amz-target'] !== 'Firehose_20150804.PutRecordBatch') {
      return reply(response, 400, { __type: 'UnknownOperationException', message: 'PutRecordBatch only' });
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: { Data: string }[] };
    const records = input.Records.map((record) => Buffer.from(record.Data, 'base64'));
    const bytes = records.reduce((sum, data) => sum + data.length, 0);
    const violation =
      records.length > PUT_RECORD_BATCH_LIMITS.maxRecords
        ? `${records.length} records`
        : bytes > PUT_RECORD_BATCH_LIMITS.maxRequestBytes
          ? `${bytes} bytes`
          : records.some((data) => data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes)
            ? 'a record over 1,000 KiB'
            : undefined;
    if (violation !== undefined) {
      limitViolations.push(violation);
      return reply(response, 400, { __type: 'InvalidArgumentException', message: violation });
    }
    const fault = script.shift() ?? { kind: 'none' };
    if (fault.kind === 'drop-connection') return request.socket.destroy();
    if (fault.kind === 'error')
      return reply(response, fault.status, { __type: fault.type, message: 'injected' });
    const failing = new Set(fault.kind === 'fail-records' ? fault.indexes : []);
    const entries = records.map((data, i) => {
      if (failing.has(i)) return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      accepted.push(data.toString('utf8'));
      return { RecordId: `record-${accepted.length}` };
    });
    const failed = entries.filter((entry) => 'ErrorCode' in entry).length;
    reply(response, 200, { FailedPutCount: failed, Encrypted: false, RequestResponses: entries });
  };

  const server = createServer((request, response) => {
    answer(request, response).catch(() =>
      reply(response, 500, { __type: 'InternalFailure', message: 'fake' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    limitViolations,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const type =
    typeof body === 'object' && body !== null && '__type' in body ? String(body.__type) : undefined;
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    ...(type === undefined ? {} : { 'x-amzn-errortype': type }),
  });
  response.end(text);
}
