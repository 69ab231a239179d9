import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signedOpenSearchHttp,
  unsignedOpenSearchHttp,
} from '../../../lambdas/opensearch-setup/opensearch-http';
import type { OpenSearchHttp } from '../../../lambdas/opensearch-setup/setup';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

// A loopback stand-in for the domain: records each request, answers from a fixed table.
const received: Received[] = [];
const answers: Record<string, [number, unknown]> = {
  'PUT /_index_template/events': [200, { acknowledged: true }],
  'GET /_plugins/_ism/policies/events-retention': [
    404,
    { error: { type: 'status_exception', reason: 'Policy not found' }, status: 404 },
  ],
};
let server: Server;
let http: OpenSearchHttp;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      const [status, answer] = answers[`${request.method} ${request.url?.split('?')[0]}`] ?? [500, {}];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  http = signedOpenSearchHttp({
    node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    getCredentials: async () => ({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    }),
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('signedOpenSearchHttp', () => {
  it('signs each request with SigV4 for the es service in the region', async () => {
    await http({ method: 'PUT', path: '/_index_template/events', body: { index_patterns: ['events-*'] } });

    const { headers } = received.at(-1)!;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('sends the body as JSON and returns the parsed answer', async () => {
    const response = await http({ method: 'PUT', path: '/_index_template/events', body: { priority: 100 } });

    expect(JSON.parse(received.at(-1)!.body)).toEqual({ priority: 100 });
    expect(response).toEqual({ statusCode: 200, body: { acknowledged: true } });
  });

  it('passes the query string', async () => {
    await http({
      method: 'PUT',
      path: '/_index_template/events',
      querystring: { if_seq_no: 3, if_primary_term: 1 },
    });

    expect(received.at(-1)!.url).toBe('/_index_template/events?if_seq_no=3&if_primary_term=1');
  });

  it('returns an HTTP error as an answer instead of throwing', async () => {
    const response = await http({ method: 'GET', path: '/_plugins/_ism/policies/events-retention' });

    expect(response.statusCode).toBe(404);
    expect(response.body).toMatchObject({ error: { reason: 'Policy not found' } });
  });
});

describe('unsignedOpenSearchHttp', () => {
  it('sends the request without signing it and returns the answer', async () => {
    const unsigned = unsignedOpenSearchHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

    const response = await unsigned({
      method: 'PUT',
      path: '/_index_template/events',
      body: { priority: 100 },
    });

    const { headers, body } = received.at(-1)!;
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-amz-date']).toBeUndefined();
    expect(JSON.parse(body)).toEqual({ priority: 100 });
    expect(response).toEqual({ statusCode: 200, body: { acknowledged: true } });
  });

  it('returns an HTTP error as an answer instead of throwing', async () => {
    const unsigned = unsignedOpenSearchHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

    const response = await unsigned({ method: 'GET', path: '/_plugins/_ism/policies/events-retention' });

    expect(response.statusCode).toBe(404);
  });
});
