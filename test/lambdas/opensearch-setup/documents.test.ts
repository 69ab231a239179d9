import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../../../contract/index';
import { policyFingerprint, renderSetupDocuments } from '../../../lambdas/opensearch-setup/documents';

const documents = renderSetupDocuments({ indexRetentionDays: 35, replicas: 1 });
const template = (name: string) => documents.templates.find((candidate) => candidate.name === name)?.body;

describe('renderSetupDocuments', () => {
  it('sets _id from event_id before routing', () => {
    const processors = documents.pipeline.body.processors as Record<string, unknown>[];

    expect(processors[0]).toEqual({ set: { field: '_id', value: '{{{event_id}}}' } });
  });

  it('routes each document to the daily events index of its event_time, in UTC', () => {
    const processors = documents.pipeline.body.processors as Record<string, unknown>[];

    expect(processors[1]).toEqual({
      date_index_name: {
        field: 'event_time',
        index_name_prefix: 'events-',
        date_rounding: 'd',
        index_name_format: 'yyyy-MM-dd',
        date_formats: ['ISO8601'],
        timezone: 'UTC',
      },
    });
  });

  it('makes the routing pipeline the default pipeline of the incoming indices', () => {
    expect(template('incoming')).toMatchObject({
      index_patterns: ['incoming-*'],
      template: { settings: { index: { default_pipeline: 'events-route' } } },
    });
  });

  it('gives the events indices no default pipeline, so a re-routed document is not routed again', () => {
    const settings = (template('events') as { template: { settings: { index: Record<string, unknown> } } })
      .template.settings.index;

    expect(settings.default_pipeline).toBeUndefined();
  });

  it.each(EVENT_COLUMNS.map((column) => [column.name, column.openSearch]))(
    'maps column %s as the contract says',
    (name, mapping) => {
      expect(template('events')).toMatchObject({
        template: { mappings: { properties: { [name]: mapping } } },
      });
    },
  );

  it('maps properties as flat_object', () => {
    expect(template('events')).toMatchObject({
      template: { mappings: { properties: { properties: { type: 'flat_object' } } } },
    });
  });

  it('deletes events and incoming indices after the retention', () => {
    expect(documents.policy.body.policy).toMatchObject({
      states: [
        { name: 'hot', transitions: [{ state_name: 'delete', conditions: { min_index_age: '35d' } }] },
        { name: 'delete', actions: [{ delete: {} }] },
      ],
      ism_template: [{ index_patterns: ['events-*', 'incoming-*'] }],
    });
  });

  it('uses the replica count it is given', () => {
    expect(template('events')).toMatchObject({
      template: { settings: { index: { number_of_replicas: 1 } } },
    });
  });
});

describe('policyFingerprint', () => {
  it('changes when the retention changes', () => {
    const fingerprint = (days: number) =>
      policyFingerprint(renderSetupDocuments({ indexRetentionDays: days, replicas: 0 }).policy.body.policy);

    expect(fingerprint(14)).not.toBe(fingerprint(15));
  });
});
