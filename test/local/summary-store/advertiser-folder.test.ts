import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADVERTISER_ID_PATTERN } from '../../../lambdas/aggregator/advertiser-id';
import { advertiserFolder, advertiserOfFolder } from '../../../local/summary-store/advertiser-folder';

const advertiserId = fc.stringMatching(ADVERTISER_ID_PATTERN);

describe('advertiserFolder', () => {
  it.each([
    ['adv-in', 'adv-in'],
    ['ADV-IN', '+a+d+v-+i+n'],
    ['Adv_9', '+adv_9'],
    ['0', '0'],
  ])('names the folder of %s %s', (id, folder) => {
    expect(advertiserFolder(id)).toBe(folder);
  });

  it('gives ids that differ only in case folders that differ on a case-insensitive file system', () => {
    fc.assert(
      fc.property(fc.uniqueArray(advertiserId, { minLength: 2, maxLength: 50 }), (ids) => {
        // A case-insensitive file system (macOS's and Windows' defaults) compares names lowercased.
        const asTheFileSystemSeesThem = new Set(ids.map((id) => advertiserFolder(id).toLowerCase()));

        expect(asTheFileSystemSeesThem.size).toBe(ids.length);
      }),
    );
  });

  it('reads every folder name back as its advertiser id', () => {
    fc.assert(
      fc.property(advertiserId, (id) => {
        expect(advertiserOfFolder(advertiserFolder(id))).toBe(id);
      }),
    );
  });

  it.each([
    ['ADV-IN', 'an id with capitals: the layout before case-safe names'],
    ['+', 'an escape without a letter'],
    ['+1', 'an escaped digit'],
    ['a.b', 'a dot'],
    ['corrupt.d', 'a name the store never writes'],
    ['layout.json', 'the layout marker'],
  ])('reads no advertiser from %s (%s)', (name) => {
    expect(advertiserOfFolder(name)).toBeUndefined();
  });

  it('refuses an id that could leave the summaries directory', () => {
    expect(() => advertiserFolder('../x')).toThrow('not an advertiser id: "../x"');
  });
});
