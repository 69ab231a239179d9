import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';

/**
 * The folder name of an advertiser's summaries: the id with each capital letter written as `+`
 * and the letter in lower case (`ADV-IN` is `+a+d+v-+i+n`, `adv-in` stays `adv-in`). Names are
 * all lower case, so two ids never share a folder on a case-insensitive file system (macOS's and
 * Windows' defaults), and ids without capitals keep the names they had before. `+` is outside the
 * contract's id alphabet, so the name reads back unambiguously.
 */
export function advertiserFolder(advertiserId: string): string {
  // The contract's pattern has no '/', '.' or whitespace, so a folder can never leave the store.
  if (!isAdvertiserId(advertiserId)) throw new Error(`not an advertiser id: ${JSON.stringify(advertiserId)}`);
  return advertiserId.replace(/[A-Z]/g, (capital) => `+${capital.toLowerCase()}`);
}

const FOLDER = /^(?:\+[a-z]|[a-z0-9_-])+$/;

/** The advertiser whose folder has this name, or undefined for any name advertiserFolder never gives. */
export function advertiserOfFolder(name: string): string | undefined {
  if (!FOLDER.test(name)) return undefined;
  const advertiserId = name.replace(/\+([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return isAdvertiserId(advertiserId) ? advertiserId : undefined;
}
