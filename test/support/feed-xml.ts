import { XMLParser } from 'fast-xml-parser';

/** A value in a parsed feed document: no static shape; tests read it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: parsed XML is shaped by the document, and every field read is asserted
export type XmlValue = any;

/**
 * Parses a feed document for reading its fields, in either test tier: attributes as `@name`,
 * items, entries, links and categories always as arrays.
 */
export function parseFeedXml(xml: string): Record<string, XmlValue> {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    // XML 1.0 §4.1: character references (`&#x26;`) are text; fast-xml-parser decodes them only with htmlEntities.
    htmlEntities: true,
    isArray: (name) => ['item', 'entry', 'link', 'category', 'atom:link'].includes(name),
  }).parse(xml, true);
}
