/** Formats epoch ms as an IMF-fixdate (RFC 9110 §5.6.7), truncated to whole seconds; parse-http-date.ts reads them. */
export function formatHttpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}
