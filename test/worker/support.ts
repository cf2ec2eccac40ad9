import { exports } from 'cloudflare:workers';
import { XMLParser } from 'fast-xml-parser';

/** Sends a request to the Worker under test, as an HTTP client would. */
export function fetchWorker(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://127.0.0.1:8787${path}`, init));
}

/** A value in a document parsed by parseXml: no static shape; tests read it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: parsed XML is shaped by the document, and every field read is asserted
export type XmlValue = any;

/** A strict-enough XML parser that keeps attributes, for reading feed fields. */
export function parseXml(xml: string): Record<string, XmlValue> {
  // XML 1.0 §4.1: character references (`&#x26;`) are text; fast-xml-parser decodes them only with htmlEntities.
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    htmlEntities: true,
    isArray: (name) => ['item', 'entry', 'link', 'category', 'atom:link'].includes(name),
  }).parse(xml, true);
}
