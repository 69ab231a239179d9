import { createHash } from 'node:crypto';
import { EVENT_COLUMNS } from '../../contract/columns';

/** Index names the domain is set up for; Firehose writes `incoming`, readers query `events-*`. */
export const SEARCH_INDICES = {
  /** Firehose's index name; with daily rotation it writes `incoming-YYYY-MM-DD`. */
  incoming: 'incoming',
  incomingPattern: 'incoming-*',
  /** One index per event day (UTC): `events-YYYY-MM-DD`. Summaries read this pattern. */
  eventsPrefix: 'events-',
  eventsPattern: 'events-*',
  pipeline: 'events-route',
  retentionPolicy: 'events-retention',
} as const;

export interface SetupSettings {
  /** Days an index lives before the ISM policy deletes it. */
  indexRetentionDays: number;
  /** Replicas per shard, from the domain's zone layout (lib/search-topology.ts). */
  replicas: number;
}

/** Everything the setup applies to the domain, in the order it must be applied. */
export interface SetupDocuments {
  pipeline: { id: string; body: Record<string, unknown> };
  templates: { name: string; body: Record<string, unknown> }[];
  policy: { id: string; body: { policy: Record<string, unknown> } };
}

/**
 * Renders the de-duplication and retention set-up:
 * - pipeline `events-route`: `_id` = `event_id`, then `_index` = `events-<event_time day, UTC>`;
 * - template `incoming-*`: runs that pipeline by default, so every document Firehose writes is re-routed;
 * - template `events-*`: the mappings, derived from the event schema, and no default pipeline
 *   (a re-routed document runs the new index's default pipeline: none, so no loop);
 * - ISM policy deleting both kinds of index after the retention.
 * A duplicate delivery of an event_id therefore overwrites one document, whatever day it arrives.
 */
export function renderSetupDocuments(settings: SetupSettings): SetupDocuments {
  const indexSettings = { number_of_shards: 1, number_of_replicas: settings.replicas };
  const policy = {
    description: `Deletes ${SEARCH_INDICES.eventsPattern} and ${SEARCH_INDICES.incomingPattern} indices ${settings.indexRetentionDays} days after creation`,
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [
          { state_name: 'delete', conditions: { min_index_age: `${settings.indexRetentionDays}d` } },
        ],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [
      { index_patterns: [SEARCH_INDICES.eventsPattern, SEARCH_INDICES.incomingPattern], priority: 100 },
    ],
  };
  return {
    pipeline: {
      id: SEARCH_INDICES.pipeline,
      body: {
        description: 'Sets _id from event_id and routes each event to the index of its event day (UTC)',
        processors: [
          // Triple braces: the id is used verbatim, without mustache's HTML escaping.
          { set: { field: '_id', value: '{{{event_id}}}' } },
          {
            date_index_name: {
              field: 'event_time',
              index_name_prefix: SEARCH_INDICES.eventsPrefix,
              date_rounding: 'd',
              index_name_format: 'yyyy-MM-dd',
              date_formats: ['ISO8601'],
              timezone: 'UTC',
            },
          },
        ],
      },
    },
    templates: [
      {
        name: 'events',
        body: {
          index_patterns: [SEARCH_INDICES.eventsPattern],
          priority: 100,
          template: {
            settings: { index: indexSettings },
            mappings: {
              // Fields outside the schema stay in _source but are not indexed: no mapping explosion.
              dynamic: false,
              properties: Object.fromEntries(EVENT_COLUMNS.map((column) => [column.name, column.openSearch])),
            },
          },
        },
      },
      {
        name: SEARCH_INDICES.incoming,
        body: {
          index_patterns: [SEARCH_INDICES.incomingPattern],
          priority: 100,
          template: { settings: { index: { ...indexSettings, default_pipeline: SEARCH_INDICES.pipeline } } },
        },
      },
    ],
    policy: { id: SEARCH_INDICES.retentionPolicy, body: { policy } },
  };
}

/**
 * A short digest of the policy, written into its description: OpenSearch adds defaults (retry
 * settings, timestamps) to a stored policy, so comparing bodies would always see a difference.
 */
export function policyFingerprint(policy: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 12);
}
