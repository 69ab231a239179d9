import { Duration } from 'aws-cdk-lib';
import { CfnNamedQuery, type CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SavedQuery } from '../analytics/catalog';
import { enforcedWorkGroup } from './athena-workgroup';
import type { AthenaConfig } from './config';
import { privateBucketProps } from './stateful';

export interface AnalyticsProps {
  readonly athena: AthenaConfig;
  readonly workGroupName: string;
  /** Glue database the saved queries run in. */
  readonly databaseName: string;
  /** The saved queries (analytics/catalog.ts `loadSavedQueries()`), one named query each. */
  readonly savedQueries: readonly SavedQuery[];
  /** Where the results bucket's server access logs go. */
  readonly accessLogsBucket: IBucket;
  /** @default false */
  readonly destroyOnRemoval?: boolean;
}

const RESULTS_PREFIX = 'results/';

/**
 * The Athena side: a workgroup whose settings users cannot override (engine v3, encrypted results
 * in a bucket of their own, a per-query scan limit, CloudWatch metrics) and one named query per
 * saved query file.
 */
export class Analytics extends Construct {
  readonly workGroup: CfnWorkGroup;
  readonly resultsBucket: Bucket;
  readonly namedQueries: CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const destroy = props.destroyOnRemoval ?? false;

    this.resultsBucket = new Bucket(this, 'Results', {
      ...privateBucketProps(destroy),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: Duration.days(props.athena.resultsExpireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.workGroup = enforcedWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'Clickstream analytics: saved queries over the event lake',
      bytesScannedCutoffPerQuery: props.athena.bytesScannedCutoffPerQuery,
      outputLocation: this.resultsBucket.s3UrlForObject(RESULTS_PREFIX),
      expectedBucketOwner: this.resultsBucket.env.account,
      destroyOnRemoval: destroy,
    });

    this.namedQueries = props.savedQueries.map((query) => {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description.slice(0, 1024),
        database: props.databaseName,
        queryString: query.sql,
        workGroup: this.workGroup.ref,
      });
      return named;
    });
  }
}
