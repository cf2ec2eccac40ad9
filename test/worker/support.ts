import { exports } from 'cloudflare:workers';
import { parseFeedXml, type XmlValue } from '../support/feed-xml.ts';

/** Sends a request to the Worker under test, as an HTTP client would. */
export function fetchWorker(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://127.0.0.1:8787${path}`, init));
}

export type { XmlValue };

/** A strict-enough XML parser that keeps attributes, for reading feed fields. */
export function parseXml(xml: string): Record<string, XmlValue> {
  return parseFeedXml(xml);
}
