// ua-parser-js 1.x ships no types (and @types/ua-parser-js describes 0.7); this declares the part
// the transform uses. Version 2 is AGPL-licensed: stay on 1.x.
declare module 'ua-parser-js' {
  interface UAParserInstance {
    getBrowser(): { name?: string; version?: string };
    getOS(): { name?: string; version?: string };
    getDevice(): { type?: string; vendor?: string; model?: string };
  }
  const UAParser: new (userAgent: string) => UAParserInstance;
  export default UAParser;
}
