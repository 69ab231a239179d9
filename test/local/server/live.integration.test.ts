import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LocalPipeline, startLocalPipeline } from '../../../local/pipeline/local-pipeline';
import { localFirehoseClient, silenceLambdaTelemetry, wireEvent } from '../../e2e/helpers';

// The local server end to end: the real pipeline on loopback, the real SDK putting events, and a
// real `ws` client on /live. Waits are for messages, bounded by the test timeout; nothing is timed.
silenceLambdaTelemetry();

let root: string;
let pipeline: LocalPipeline;
let wsUrl: string;

type Message = { type: string; [key: string]: unknown };

/** A /live client that keeps every message and can wait for one. */
class LiveClient {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }

  static async open(url = wsUrl, headers: Record<string, string> = {}): Promise<LiveClient> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new LiveClient(socket);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (from `from` on) that matches. */
  async next(match: (m: Message) => boolean, from = 0): Promise<Message> {
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.close();
  }
}

async function put(events: (Record<string, unknown> | string)[]): Promise<void> {
  const client = localFirehoseClient(pipeline.endpointUrl);
  try {
    const answer = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: pipeline.streamName,
        Records: events.map((e) => ({
          Data: Buffer.from(typeof e === 'string' ? e : `${JSON.stringify(e)}\n`),
        })),
      }),
    );
    expect(answer.FailedPutCount).toBe(0);
  } finally {
    client.destroy();
  }
}

/** A raw GET, for paths fetch() would normalise (`..`). */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(pipeline.endpointUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'live-integration-'));
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>dashboard</title>');
  await writeFile(join(dist, 'assets', 'app-1234.js'), 'console.log("dashboard")');
  await writeFile(join(root, 'secret.txt'), 'not served');
  pipeline = await startLocalPipeline({
    dataDir: join(root, 'data'),
    dashboardDir: dist,
    // Only the delivery's own summary run can push within this test: the schedule is an hour away.
    buffering: { sizeBytes: 2 ** 20, intervalMs: 50 },
    summaryIntervalSeconds: 3600,
    summariseDeliveries: true,
  });
  wsUrl = `${pipeline.endpointUrl.replace(/^http/, 'ws')}/live`;
});

afterAll(async () => {
  await pipeline?.close();
  await rm(root, { recursive: true, force: true });
});

describe('/live on the local server', () => {
  it('pushes the window of an event put through the Firehose API, as the summary API returns it', async () => {
    const live = await LiveClient.open();
    live.send({ action: 'subscribe', advertiser_id: 'adv-live' });
    await live.next((m) => m.type === 'subscribed');
    const event = wireEvent('live-1', { advertiser_id: 'adv-live', event_type: 'click' });

    await put([event]);
    const push = (await live.next((m) => m.type === 'summary')) as unknown as {
      summary: Record<string, unknown>;
    };

    expect(push.summary).toMatchObject({ advertiser_id: 'adv-live', events: 1, clicks: 1, final: false });
    const start = String(push.summary.window_start);
    const end = new Date(Date.parse(start) + 1).toISOString();
    const api = await fetch(`${pipeline.endpointUrl}/advertisers/adv-live/summaries?from=${start}&to=${end}`);
    expect(((await api.json()) as { summaries: unknown }).summaries).toEqual([push.summary]);
    live.close();
  });

  it('pushes nothing for advertisers the connection does not follow', async () => {
    const live = await LiveClient.open();
    live.send({ action: 'subscribe', advertiser_id: 'adv-followed' });
    live.send({ action: 'subscribe', advertiser_id: 'adv-dropped' });
    live.send({ action: 'unsubscribe', advertiser_id: 'adv-dropped' });
    await live.next((m) => m.type === 'unsubscribed');

    await put([
      wireEvent('other-1', { advertiser_id: 'adv-dropped' }),
      wireEvent('mine-1', { advertiser_id: 'adv-followed' }),
    ]);
    await live.next((m) => m.type === 'summary');
    // The delivery's one run stored both advertisers' windows at once; only the followed one came.
    await put([wireEvent('mine-2', { advertiser_id: 'adv-followed' })]);
    await live.next((m) => m.type === 'summary' && (m.summary as { events: number }).events === 2);

    const pushed = live.messages
      .filter((m) => m.type === 'summary')
      .map((m) => (m.summary as { advertiser_id: string }).advertiser_id);
    expect(new Set(pushed)).toEqual(new Set(['adv-followed']));
    live.close();
  });

  it('shows a refused event in the tail with its typed reason and its personal fields hidden', async () => {
    const live = await LiveClient.open();
    live.send({ action: 'tail' });
    await live.next((m) => m.type === 'subscribed');

    await put([
      wireEvent('tail-ok', { advertiser_id: 'adv-tail' }),
      { event_id: 'tail-bad', event_type: 'click', advertiser_id: 'adv-tail', user_id: 'jane@example.com' },
      'this is not JSON\n',
    ]);
    const { events } = (await live.next((m) => m.type === 'events')) as unknown as {
      events: { outcome: string; reason?: string; event: Record<string, unknown> | null }[];
    };

    expect(events.map((e) => [e.outcome, e.reason])).toEqual([
      ['ok', undefined],
      ['failed', 'missing_required_field'],
      ['failed', 'invalid_json'],
    ]);
    expect(events[0]?.event).toMatchObject({ event_id: 'tail-ok', advertiser_id: 'adv-tail' });
    expect(events[1]?.event).toMatchObject({ event_id: 'tail-bad', user_id: '[hidden]' });
    expect(JSON.stringify(events)).not.toContain('jane@example.com');
    expect(events[2]?.event).toBeNull();
    live.close();
  });

  it('answers bad messages with typed errors and keeps the connection open', async () => {
    const live = await LiveClient.open();

    live.send('not json');
    live.send({ action: 'watch' });
    live.send({ action: 'subscribe', advertiser_id: 'no spaces' });
    live.send(JSON.stringify({ action: 'tail', pad: 'x'.repeat(2000) }));
    live.send({ action: 'subscribe', advertiser_id: 'adv-ok' });
    await live.next((m) => m.type === 'subscribed');

    expect(live.messages.map((m) => m.error ?? m.type)).toEqual([
      'not_json',
      'unknown_action',
      'bad_advertiser_id',
      'message_too_large',
      'subscribed',
    ]);
    expect(live.closed).toBeUndefined();
    live.close();
  });

  it('refuses a WebSocket from a page of another origin, and one on another path', async () => {
    await expect(LiveClient.open(wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(LiveClient.open(wsUrl.replace(/\/live$/, '/other'))).rejects.toThrow(/404/);
  });
});

describe('the local server routes', () => {
  it('lists the advertisers with stored summaries', async () => {
    await put([wireEvent('list-1', { advertiser_id: 'adv-listed' })]);
    await pipeline.flush();

    const response = await fetch(`${pipeline.endpointUrl}/api/advertisers`);

    expect(response.status).toBe(200);
    expect(((await response.json()) as { advertisers: string[] }).advertisers).toContain('adv-listed');
  });

  it('lists the saved queries with the parameters of their headers', async () => {
    const body = (await (await fetch(`${pipeline.endpointUrl}/api/queries`)).json()) as {
      queries: unknown[];
    };

    expect(body.queries).toContainEqual({
      name: 'hourly_traffic',
      description: expect.any(String),
      parameters: [
        { name: 'start_date', type: 'date', description: expect.any(String) },
        {
          name: 'end_date',
          type: 'date',
          description: expect.any(String),
          range: { min: { parameter: 'start_date' } },
        },
      ],
    });
  });

  it('runs a saved query as JSON and as CSV, with the values the CLI takes', async () => {
    await put([wireEvent('query-1', { advertiser_id: 'adv-query' })]);
    await pipeline.flush();
    const run = (format: string) =>
      fetch(`${pipeline.endpointUrl}/api/queries/hourly_traffic${format}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parameters: { start_date: 'today', end_date: 'today' } }),
      });

    const json = await run('');
    const csv = await run('?format=csv');

    expect(json.status).toBe(200);
    const body = (await json.json()) as { columns: { name: string }[]; rows: unknown[][] };
    expect(body.columns.map((c: { name: string }) => c.name)).toContain('events');
    expect(body.rows.length).toBeGreaterThan(0);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[0]).toBe(
      body.columns.map((c: { name: string }) => c.name).join(','),
    );
  });

  it.each([
    ['an unknown query', '/api/queries/hourly_trafic', { parameters: {} }, 404, 'unknown_query'],
    [
      'a missing parameter',
      '/api/queries/hourly_traffic',
      { parameters: { start_date: 'today' } },
      400,
      'bad_parameter',
    ],
    [
      'a value out of range',
      '/api/queries/hourly_traffic',
      { parameters: { start_date: 'today', end_date: 'yesterday' } },
      400,
      'bad_parameter',
    ],
    [
      'an unknown parameter',
      '/api/queries/hourly_traffic',
      { parameters: { start: 'today' } },
      400,
      'bad_parameter',
    ],
    ['a body without parameters', '/api/queries/hourly_traffic', [1], 400, 'bad_request'],
    ['an unknown format', '/api/queries/hourly_traffic?format=xml', { parameters: {} }, 400, 'bad_request'],
  ])('refuses %s with a typed error', async (_, path, body, status, error) => {
    const response = await fetch(`${pipeline.endpointUrl}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });

    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error, message: expect.any(String) });
  });

  it('counts failed events by reason, for one advertiser', async () => {
    await put([{ event_id: 'f-1', event_type: 'click', advertiser_id: 'adv-failed' }]);
    await pipeline.flush();

    const response = await fetch(`${pipeline.endpointUrl}/api/failed?advertiser_id=adv-failed`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      advertiser_id: 'adv-failed',
      total: 1,
      by_reason: { missing_required_field: 1 },
    });
    const bad = await fetch(`${pipeline.endpointUrl}/api/failed?from=soon`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('bad_request');
  });

  it('serves the built dashboard with its content types', async () => {
    const page = await fetch(`${pipeline.endpointUrl}/`);
    const script = await fetch(`${pipeline.endpointUrl}/assets/app-1234.js`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>dashboard</title>');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00',
    '/.hidden',
    '/assets/missing.js',
  ])('answers 404 for %s (nothing outside the build)', async (path) => {
    const response = await rawGet(path);

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('not served');
  });

  it('refuses requests naming another host (DNS rebinding) or from a page of another origin', async () => {
    expect((await rawGet('/api/advertisers', { host: 'evil.example' })).status).toBe(403);
    expect((await rawGet('/api/advertisers', { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('still speaks Firehose on POST /', async () => {
    const response = await fetch(pipeline.endpointUrl, { method: 'POST', body: '{}' });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});
