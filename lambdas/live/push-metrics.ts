/**
 * The push Lambda's custom metrics (Powertools, dimension `service`), one definition for the
 * handler that publishes them and the stack that graphs them and alarms on failed posts.
 */
export const PUSH_METRICS = {
  namespace: 'Clickstream',
  service: 'clickstream-live-push',
  sent: 'SummaryPushesSent',
  gone: 'SummaryPushesGone',
  failed: 'SummaryPushesFailed',
  invalid: 'SummaryImagesInvalid',
} as const;
