// Freshness as a dashboard sees it: from PutRecord accepted to the summary of its window pushed
// over a real WebSocket (/live), with `serve`'s defaults (buffering, and a summary run per delivery).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import WebSocket from 'ws';
import { DEFAULT_BUFFERING } from '../local/pipeline/local-delivery-stream';
import { DEFAULT_SUMMARY_INTERVAL_SECONDS, startLocalPipeline } from '../local/pipeline/local-pipeline';
import type { BenchSuite } from './suites';

/** Events sent one at a time, each after the previous one's push (each starts a fresh buffer: the worst case). */
const SEQUENTIAL_EVENTS = 20;
/** Events sent while others are in flight: one every INTERVAL_MS, so buffers hold several. */
const STREAMED_EVENTS = 40;
const STREAM_INTERVAL_MS = 150;
const ADVERTISER = 'adv-bench-live';

export const liveBench: BenchSuite = {
  name: 'live',
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-live-'));
    const pipeline = await startLocalPipeline({ dataDir, summariseDeliveries: true });
    const client = new FirehoseClient({
      endpoint: pipeline.endpointUrl,
      region: pipeline.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const live = await Pushes.open(`${pipeline.endpointUrl.replace(/^http/, 'ws')}/live`);
    try {
      console.log(
        `serve defaults: buffering ${DEFAULT_BUFFERING.sizeBytes / 2 ** 20} MiB / ${DEFAULT_BUFFERING.intervalMs / 1000} s, ` +
          `a summary run per delivery, scheduled runs every ${DEFAULT_SUMMARY_INTERVAL_SECONDS} s; DuckDB event index`,
      );
      live.subscribe(ADVERTISER);
      await live.acknowledged();
      // All in one window, so the n-th event is in the push whose window counts n events.
      const eventTime = new Date().toISOString();
      let sent = 0;
      const send = async (): Promise<{ acceptedAt: number; count: number }> => {
        sent += 1;
        const count = sent;
        const event = {
          event_id: `live-${count}`,
          event_type: 'click',
          advertiser_id: ADVERTISER,
          event_time: eventTime,
        };
        await client.send(
          new PutRecordCommand({
            DeliveryStreamName: pipeline.streamName,
            Record: { Data: Buffer.from(`${JSON.stringify(event)}\n`) },
          }),
        );
        return { acceptedAt: performance.now(), count };
      };

      const sequential: number[] = [];
      for (let i = 0; i < SEQUENTIAL_EVENTS; i++) {
        const { acceptedAt, count } = await send();
        sequential.push((await live.windowCounting(count)) - acceptedAt);
      }
      report(`one at a time (${SEQUENTIAL_EVENTS} events)`, sequential);

      const accepted: Promise<{ acceptedAt: number; count: number }>[] = [];
      for (let i = 0; i < STREAMED_EVENTS; i++) {
        accepted.push(send());
        await new Promise((resolve) => setTimeout(resolve, STREAM_INTERVAL_MS));
      }
      const streamed = await Promise.all(
        accepted.map(async (put) => {
          const { acceptedAt, count } = await put;
          return (await live.windowCounting(count)) - acceptedAt;
        }),
      );
      report(`one every ${STREAM_INTERVAL_MS} ms (${STREAMED_EVENTS} events)`, streamed);
    } finally {
      live.close();
      client.destroy();
      await pipeline.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};

function report(label: string, latenciesMs: number[]): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const ms = (v: number) => `${Math.round(v)} ms`;
  console.log(
    `accepted -> summary pushed, ${label}: p50 ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(sorted.at(-1) ?? Number.NaN)}`,
  );
}

/** A /live client that notes when each event count of the bench window was first pushed. */
class Pushes {
  private readonly firstSeen = new Map<number, number>();
  private highest = 0;
  private waiters: (() => void)[] = [];
  private acks = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; summary?: { events: number } };
      if (message.type === 'subscribed') this.acks += 1;
      if (message.type === 'summary' && message.summary !== undefined) {
        const now = performance.now();
        // A push showing n events shows every event up to n too.
        for (let n = this.highest + 1; n <= message.summary.events; n++) this.firstSeen.set(n, now);
        this.highest = Math.max(this.highest, message.summary.events);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(url: string): Promise<Pushes> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new Pushes(socket);
  }

  subscribe(advertiserId: string): void {
    this.socket.send(JSON.stringify({ action: 'subscribe', advertiser_id: advertiserId }));
  }

  async acknowledged(): Promise<void> {
    while (this.acks === 0) await this.wait();
  }

  /** When the window was first pushed counting at least `count` events. */
  async windowCounting(count: number): Promise<number> {
    for (;;) {
      const seen = this.firstSeen.get(count);
      if (seen !== undefined) return seen;
      await this.wait();
    }
  }

  close(): void {
    this.socket.close();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
