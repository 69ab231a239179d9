import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { StoredEvent } from '../../contract';

/** The enrichment fields derived from user_agent. */
export type UserAgentFields = Pick<
  StoredEvent,
  'ua_browser' | 'ua_browser_version' | 'ua_os' | 'ua_os_version' | 'ua_device_type' | 'is_bot'
>;
type DeviceType = NonNullable<StoredEvent['ua_device_type']>;

const DEVICE_TYPES: ReadonlySet<string> = new Set<DeviceType>([
  'mobile',
  'tablet',
  'smarttv',
  'console',
  'wearable',
  'embedded',
]);
// ua-parser-js reports no device type for desktops; these operating systems mean one.
const DESKTOP_OS: ReadonlySet<string> = new Set([
  'Windows',
  'Mac OS',
  'macOS',
  'Linux',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Chrome OS',
  'Chromium OS',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'Solaris',
  'Mint',
  'Arch',
  'Gentoo',
  'SUSE',
  'Red Hat',
  'CentOS',
]);
const MAX_ENRICHED_TEXT = 256;

/**
 * The enrichment fields of one user agent; absent fields are ones the parser could not tell. A
 * parse costs tens of microseconds and real traffic repeats a few hundred user agents, so callers
 * cache the result.
 */
export function parseUserAgent(userAgent: string): UserAgentFields {
  const parser = new UAParser(userAgent);
  const browser = parser.getBrowser();
  const os = parser.getOS();
  const bot = isbot(userAgent);
  return Object.freeze({
    ua_browser: enrichedText(browser.name),
    ua_browser_version: enrichedText(browser.version),
    ua_os: enrichedText(os.name),
    ua_os_version: enrichedText(os.version),
    ua_device_type: bot ? 'bot' : deviceType(parser.getDevice().type, os.name),
    is_bot: bot,
  });
}

function deviceType(type: string | undefined, os: string | undefined): DeviceType {
  if (type !== undefined && DEVICE_TYPES.has(type)) return type as DeviceType;
  if (type === undefined && os !== undefined && DESKTOP_OS.has(os)) return 'desktop';
  return 'unknown';
}

// Parsers copy fragments of the user agent into names and versions; a fragment too long for the
// column is noise, so it is left out rather than cut.
function enrichedText(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value.length > MAX_ENRICHED_TEXT ? undefined : value;
}
