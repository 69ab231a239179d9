import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { eraseFromOpenSearch } from '../../../analytics/erasure/aws-erasure';
import type { StoredEvent } from '../../../contract';
import { engineUrl } from '../engine-url';
import { documentsOf, freshIndexSetup, indexEvents, nodeHttp } from './support/node';

const url = engineUrl('opensearch');
const http = nodeHttp(url);
const client = new Client({ node: url });

function event(id: string, day: string, fields: Partial<StoredEvent>): StoredEvent {
  return {
    event_id: id,
    event_type: 'pageview',
    advertiser_id: 'adv-1',
    event_time: `${day}T10:00:00.000Z`,
    received_at: `${day}T10:00:05.000Z`,
    ...fields,
  };
}

// The subject's events on two event days (two indices), an anonymous visitor's, and a value that
// differs only in case or by a trailing space, which must stay.
const EVENTS = [
  event('e1', '2026-11-01', { user_id: "u'1" }),
  event('e2', '2026-11-02', { user_id: "u'1", anonymous_id: 'a-1' }),
  event('e3', '2026-11-02', { user_id: "U'1" }),
  event('e4', '2026-11-02', { user_id: "u'1 " }),
  event('e5', '2026-11-02', { anonymous_id: 'a-1' }),
];
const remaining = async () => {
  const ids: string[] = [];
  for (const { event_id: id } of EVENTS) if ((await documentsOf(http, id)).length > 0) ids.push(id);
  return ids;
};

beforeEach(async () => {
  await freshIndexSetup(http);
  await indexEvents(http, EVENTS);
});
afterAll(async () => {
  await client.close();
});

describe("the erasure's delete-by-query on the real node (events-*, through the Firehose path)", () => {
  it('deletes every document of a user_id across event-day indices, and only those', async () => {
    expect(await eraseFromOpenSearch(client, { column: 'user_id', value: "u'1" })).toBe(2);

    expect(await remaining()).toEqual(['e3', 'e4', 'e5']);
  });

  it('deletes by anonymous_id; a second run finds nothing', async () => {
    expect(await eraseFromOpenSearch(client, { column: 'anonymous_id', value: 'a-1' })).toBe(2);
    expect(await eraseFromOpenSearch(client, { column: 'anonymous_id', value: 'a-1' })).toBe(0);

    expect(await remaining()).toEqual(['e1', 'e3', 'e4']);
  });
});
