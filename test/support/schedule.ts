/** The instant the scheduled fixture site is built at. */
export const SCHEDULED_BUILD_NOW = Date.parse('2025-01-01T00:00:00Z');
/** When the scheduled fixture's future article appears. */
export const SCHEDULED_AT = Date.parse('2025-01-01T12:00:00Z');
/** When the scheduled-paging fixture's three future articles appear, in order. */
export const SCHEDULED_PAGES_AT = [
  Date.parse('2025-01-02T12:00:00Z'),
  Date.parse('2025-01-03T12:00:00Z'),
  Date.parse('2025-01-04T12:00:00Z'),
] as const;
