import schema from '../../contract/event.schema.json' with { type: 'json' };

/** The contract's advertiser id pattern: ids become DynamoDB keys, file names and URL path segments. */
export const ADVERTISER_ID_PATTERN = new RegExp(schema.$defs.AdvertiserId.pattern);

export function isAdvertiserId(value: string): boolean {
  return ADVERTISER_ID_PATTERN.test(value);
}
