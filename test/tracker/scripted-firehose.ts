import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { WireEvent } from '../../contract/index';
import type { PutRecordBatchClient, TrackInput } from '../../tracker/index';

/** What the fake does with one request: accept all, fail some records, or throw. */
export type Answer =
  | { kind: 'accept' }
  | { kind: 'fail-records'; indexes: number[]; code?: string }
  | { kind: 'throw'; error: Error };

export interface SeenRequest {
  /** Date.now() when the request was sent (fake timers make it exact). */
  at: number;
  streamName: string | undefined;
  records: Uint8Array[];
  events: WireEvent[];
}

/**
 * A plain fake of the client for the tracker's core: answers requests from a script (then accepts
 * everything), records every request, and can hold answers back to keep requests in flight.
 */
export class ScriptedFirehose implements PutRecordBatchClient {
  readonly requests: SeenRequest[] = [];
  /** event_id of every record Firehose confirmed. */
  readonly deliveredIds: string[] = [];
  #script: Answer[];
  #held: (() => void)[] | undefined;

  constructor(script: Answer[] = []) {
    this.#script = [...script];
  }

  /** Keeps answers back until release() (requests stay in flight). */
  hold(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const answer of held) answer();
  }

  async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
    const records = (command.input.Records ?? []).map((record) => record.Data ?? new Uint8Array());
    const events = records.map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as WireEvent);
    this.requests.push({ at: Date.now(), streamName: command.input.DeliveryStreamName, records, events });
    const answer = this.#script.shift() ?? { kind: 'accept' };
    if (this.#held !== undefined) {
      const held = this.#held;
      await new Promise<void>((resolve) => held.push(resolve));
    }
    if (answer.kind === 'throw') throw answer.error;
    const failing = new Set(answer.kind === 'fail-records' ? answer.indexes : []);
    const code = answer.kind === 'fail-records' ? (answer.code ?? 'ServiceUnavailableException') : '';
    const entries = events.map((event, i) => {
      if (failing.has(i)) return { ErrorCode: code, ErrorMessage: 'Slow down.' };
      this.deliveredIds.push(event.event_id);
      return { RecordId: `record-${this.deliveredIds.length}` };
    });
    return { $metadata: {}, FailedPutCount: failing.size, Encrypted: false, RequestResponses: entries };
  }
}

/** A service error shaped like the SDK's (name, HTTP status, fault). */
export function serviceError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/** A network error shaped like Node's (plain Error with a code). */
export function networkError(code: string): Error {
  return Object.assign(new Error(`socket failure ${code} (injected)`), { code });
}

let counter = 0;

/** A valid event without event_id (the tracker fills it); `overrides` replace fields. */
export function anEvent(overrides: Partial<TrackInput> = {}): TrackInput {
  counter++;
  return {
    event_type: 'click',
    advertiser_id: 'adv-1',
    event_time: '2026-11-22T07:35:00.000Z',
    campaign_id: `campaign-${counter}`,
    ...overrides,
  };
}

/** Untyped input, as JavaScript callers and request bodies pass it (the tracker checks at run time). */
export function untyped(value: unknown): TrackInput {
  return value as TrackInput;
}
