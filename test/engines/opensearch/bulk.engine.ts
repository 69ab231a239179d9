import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { engineUrl } from '../engine-url';
import {
  documentsOf,
  type FirehoseBulkOptions,
  firehoseBulk,
  freshIndexSetup,
  indexNames,
  nodeHttp,
  refresh,
} from './support/node';

// Records bulk-indexed as Firehose's OpenSearch destination writes them, into the indices and
// through the ingest pipeline the setup custom resource installs.
const http = nodeHttp(engineUrl('opensearch'));

beforeEach(async () => {
  await freshIndexSetup(http);
});

function storedEvent(eventId: string, eventTime: string, receivedAt: string): StoredEvent {
  return {
    event_id: eventId,
    event_type: 'click',
    advertiser_id: 'adv-1',
    event_time: eventTime,
    received_at: receivedAt,
  };
}

// Mustache would HTML-escape these in `{{event_id}}`; the pipeline's `{{{event_id}}}` must not.
const ODD_ID = 'ev/1 <&> "q"';
const firstDelivery = [
  storedEvent('ev-a', '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:30.000Z'),
  // Arrives on the 22nd, belongs to the 21st (UTC).
  storedEvent('ev-b', '2026-11-21T23:59:59.999Z', '2026-11-22T00:00:10.000Z'),
  storedEvent(ODD_ID, '2026-11-22T00:00:00.000Z', '2026-11-22T00:00:05.000Z'),
];
// ev-a again, a day later: Firehose writes it into another incoming index.
const lateDuplicate = storedEvent('ev-a', '2026-11-22T10:00:00.000Z', '2026-11-23T08:00:00.000Z');

const firehoseIds: FirehoseBulkOptions['documentId'] = () => randomUUID();

describe.each([
  { action: 'index', ids: 'no document id (NO_DOCUMENT_ID, as the stack sets)', documentId: undefined },
  { action: 'index', ids: 'a Firehose-generated document id', documentId: firehoseIds },
  { action: 'create', ids: 'no document id', documentId: undefined },
  { action: 'create', ids: 'a Firehose-generated document id', documentId: firehoseIds },
] as const)('bulk $action actions with $ids', ({ action, documentId }) => {
  const options: FirehoseBulkOptions = documentId === undefined ? { action } : { action, documentId };

  it('routes each event to events-<event day, UTC> with _id = event_id, and creates no incoming index', async () => {
    const answer = await firehoseBulk(http, firstDelivery, options);

    expect(answer.errors).toBe(false);
    expect(answer.items.map(({ _index, _id, status }) => ({ _index, _id, status }))).toEqual([
      { _index: 'events-2026-11-22', _id: 'ev-a', status: 201 },
      { _index: 'events-2026-11-21', _id: 'ev-b', status: 201 },
      { _index: 'events-2026-11-22', _id: ODD_ID, status: 201 },
    ]);
    expect(await indexNames(http, 'incoming-*')).toEqual([]);
    expect(await indexNames(http, 'events-*')).toEqual(['events-2026-11-21', 'events-2026-11-22']);
  });

  it('keeps one document when a duplicate arrives on a later day (another incoming index)', async () => {
    await firehoseBulk(http, firstDelivery, options);

    const answer = await firehoseBulk(http, [lateDuplicate], options);
    await refresh(http);

    const [item] = answer.items;
    if (action === 'index') {
      // The duplicate overwrites the document: the stored received_at is the later arrival's.
      expect(answer.errors).toBe(false);
      expect(item).toMatchObject({
        _index: 'events-2026-11-22',
        _id: 'ev-a',
        result: 'updated',
        _version: 2,
      });
      expect(item?.status).toBe(200);
    } else {
      // `create` refuses an _id that exists, even one the pipeline set: the bulk request answers
      // 200 with `errors: true` and a 409 item, which Firehose counts as a failed document.
      expect(answer.errors).toBe(true);
      expect(item).toMatchObject({
        _index: 'events-2026-11-22',
        _id: 'ev-a',
        status: 409,
        error: { type: 'version_conflict_engine_exception' },
      });
    }
    const stored = await documentsOf(http, 'ev-a');
    expect(stored.map(({ index, id }) => ({ index, id }))).toEqual([
      { index: 'events-2026-11-22', id: 'ev-a' },
    ]);
    expect(stored[0]?.source.received_at).toBe(
      action === 'index' ? lateDuplicate.received_at : firstDelivery[0]?.received_at,
    );
    expect(await indexNames(http, 'incoming-*')).toEqual([]);
  });

  it('keeps one document per event when Firehose resends a whole request', async () => {
    await firehoseBulk(http, firstDelivery, options);

    const answer = await firehoseBulk(http, firstDelivery, options);
    await refresh(http);

    expect(answer.items.map((item) => item.status)).toEqual(
      action === 'index' ? [200, 200, 200] : [409, 409, 409],
    );
    for (const event of firstDelivery) expect(await documentsOf(http, event.event_id)).toHaveLength(1);
    const count = await http({ method: 'GET', path: '/events-*/_count' });
    expect(count.body).toMatchObject({ count: firstDelivery.length });
  });
});
