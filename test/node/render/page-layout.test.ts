// Dates on pages read in the site's language and time zone; the build makes each date's element
// once, so two sites (or two settings) must never share one.
import { describe, expect, it } from 'vitest';
import { renderTime } from '../../../src/render/page-layout.ts';
import { createConfig } from './factories.ts';

// 23:30 UTC on 31 December: already the next day, month and year in Auckland.
const instant = Date.parse('2025-12-31T23:30:00Z');

describe('renderTime', () => {
  it('shows the date in the site’s time zone and language, with the instant in UTC', () => {
    const utc = createConfig({ timeZone: 'UTC' });
    const auckland = createConfig({ timeZone: 'Pacific/Auckland' });
    const german = createConfig({ language: 'de', timeZone: 'Pacific/Auckland' });
    // Asked twice each, interleaved: the second answer is the remembered one.
    for (let round = 0; round < 2; round++) {
      expect(renderTime(instant, utc)).toBe(
        '<time datetime="2025-12-31T23:30:00.000Z">December 31, 2025</time>',
      );
      expect(renderTime(instant, auckland)).toBe(
        '<time datetime="2025-12-31T23:30:00.000Z">January 1, 2026</time>',
      );
      expect(renderTime(instant, german)).toBe(
        '<time datetime="2025-12-31T23:30:00.000Z">1. Januar 2026</time>',
      );
    }
  });
});
