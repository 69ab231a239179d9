import type { StoredEvent } from '../../../../contract';
import { renderSetupDocuments, SEARCH_INDICES } from '../../../../lambdas/opensearch-setup/documents';
import { unsignedOpenSearchHttp } from '../../../../lambdas/opensearch-setup/opensearch-http';
import { applyIndexSetup, type OpenSearchHttp } from '../../../../lambdas/opensearch-setup/setup';
import { incomingIndexFor } from '../../../../local/event-index/opensearch-bulk';

/** The setup the tests apply: as on a one-node domain, where a replica could never be assigned. */
export const SETUP_DOCUMENTS = renderSetupDocuments({ indexRetentionDays: 14, replicas: 0 });

/** The engine node through the setup custom resource's own port, unsigned (no SigV4 on loopback). */
export function nodeHttp(url: string): OpenSearchHttp {
  return unsignedOpenSearchHttp(url);
}

async function expectOk(http: OpenSearchHttp, request: Parameters<OpenSearchHttp>[0]): Promise<unknown> {
  const response = await http(request);
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new Error(
      `${request.method} ${request.path}: the node answered ${response.statusCode} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

/**
 * Removes what the tests create (event and incoming indices, the templates, the pipeline), so each
 * test file starts from an empty node whatever ran before it.
 */
export async function resetNode(http: OpenSearchHttp): Promise<void> {
  await expectOk(http, {
    method: 'DELETE',
    path: `/${SEARCH_INDICES.eventsPattern},${SEARCH_INDICES.incomingPattern}`,
    querystring: { expand_wildcards: 'all' },
  });
  for (const path of [
    ...SETUP_DOCUMENTS.templates.map((template) => `/_index_template/${template.name}`),
    `/_ingest/pipeline/${SETUP_DOCUMENTS.pipeline.id}`,
  ]) {
    const response = await http({ method: 'DELETE', path });
    if (response.statusCode !== 200 && response.statusCode !== 404) {
      throw new Error(
        `DELETE ${path}: the node answered ${response.statusCode} ${JSON.stringify(response.body)}`,
      );
    }
  }
}

/**
 * An empty node with the pipeline and templates the setup custom resource applies (its own code).
 * The retention policy is left out: the node has no ISM plugin (see setup.engine.ts).
 */
export async function freshIndexSetup(http: OpenSearchHttp): Promise<void> {
  await resetNode(http);
  await applyIndexSetup(http, SETUP_DOCUMENTS);
}

/** How Firehose's OpenSearch destination may write a record; see bulk.engine.ts for each. */
export interface FirehoseBulkOptions {
  /** The bulk action: `index` (what the stack expects) or `create`. @default 'index' */
  readonly action?: 'index' | 'create';
  /**
   * A document id chosen by the sender, as Firehose's `FIREHOSE_DEFAULT` id option sends one per
   * record; absent with `NO_DOCUMENT_ID` (the stack's setting). @default none
   */
  readonly documentId?: (event: StoredEvent, position: number) => string;
}

/** One item of a `_bulk` answer, under its action's name. */
export interface BulkItemResult {
  readonly _index?: string;
  readonly _id?: string;
  readonly _version?: number;
  readonly result?: string;
  readonly status: number;
  readonly error?: { readonly type: string; readonly reason: string };
}

export interface BulkAnswer {
  readonly errors: boolean;
  readonly items: readonly BulkItemResult[];
}

/**
 * Sends events as Firehose's OpenSearch destination does with daily index rotation: one NDJSON
 * `_bulk` request, each record into `incoming-<UTC day of its arrival>` (received_at, which the
 * transform stamps from Firehose's arrival time), no refresh. Returns the per-item answers.
 */
export async function firehoseBulk(
  http: OpenSearchHttp,
  events: readonly StoredEvent[],
  options: FirehoseBulkOptions = {},
): Promise<BulkAnswer> {
  const action = options.action ?? 'index';
  const body = events
    .map((event, position) => {
      const target = {
        _index: incomingIndexFor(event),
        ...(options.documentId === undefined ? {} : { _id: options.documentId(event, position) }),
      };
      return `${JSON.stringify({ [action]: target })}\n${JSON.stringify(event)}\n`;
    })
    .join('');
  const answer = (await expectOk(http, { method: 'POST', path: '/_bulk', body })) as {
    errors: boolean;
    items: Record<string, BulkItemResult>[];
  };
  return {
    errors: answer.errors,
    items: answer.items.map((item) => {
      const result = item[action];
      if (result === undefined)
        throw new Error(`bulk item without a '${action}' result: ${JSON.stringify(item)}`);
      return result;
    }),
  };
}

/** Makes everything indexed so far searchable (Firehose does not refresh; the node's default is 1 s). */
export async function refresh(http: OpenSearchHttp): Promise<void> {
  await expectOk(http, { method: 'POST', path: `/${SEARCH_INDICES.eventsPattern}/_refresh` });
}

/** Indexes events through the Firehose path and refreshes; throws when any item is refused. */
export async function indexEvents(http: OpenSearchHttp, events: readonly StoredEvent[]): Promise<void> {
  const answer = await firehoseBulk(http, events);
  const refused = answer.items.filter((item) => item.error !== undefined);
  if (refused.length > 0)
    throw new Error(`the node refused ${refused.length} events: ${JSON.stringify(refused[0])}`);
  await refresh(http);
}

/** Names of the indices matching a pattern (none when nothing matches). */
export async function indexNames(http: OpenSearchHttp, pattern: string): Promise<string[]> {
  const body = (await expectOk(http, {
    method: 'GET',
    path: `/_cat/indices/${pattern}`,
    querystring: { format: 'json', h: 'index' },
  })) as { index: string }[];
  return body.map((row) => row.index).sort();
}

/** The documents of `events-*` with an event_id, as `{ index, id, source }`. */
export async function documentsOf(
  http: OpenSearchHttp,
  eventId: string,
): Promise<{ index: string; id: string; source: StoredEvent }[]> {
  const body = (await expectOk(http, {
    method: 'POST',
    path: `/${SEARCH_INDICES.eventsPattern}/_search`,
    body: { query: { term: { event_id: eventId } }, size: 100 },
  })) as { hits: { hits: { _index: string; _id: string; _source: StoredEvent }[] } };
  return body.hits.hits.map((hit) => ({ index: hit._index, id: hit._id, source: hit._source }));
}
