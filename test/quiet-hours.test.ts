// Quiet hours and daily times in the owner's zone, across daylight-saving changes.
// Every instant is injected; the expected UTC values were worked out by hand from the zone rules:
// America/Chicago 2026-03-08 02:00 CST → 03:00 CDT (08:00Z), 2026-11-01 02:00 CDT → 01:00 CST (07:00Z);
// Europe/London 2026-03-29 01:00 GMT → 02:00 BST (01:00Z), 2026-10-25 02:00 BST → 01:00 GMT (01:00Z);
// Australia/Sydney 2026-10-04 02:00 AEST → 03:00 AEDT (2026-10-03T16:00Z).
import { describe, expect, it } from 'vitest';
import type { QuietHours } from '../src/core/policy.ts';
import { currentOrNextWindow, isInQuietHours, nextQuietStart, quietEnd, quietView } from '../src/core/quiet-hours.ts';
import {
  atLocalTime,
  formatOwnerTime,
  localDateOf,
  localTimeOf,
  nextDailyAt,
  ownerClock,
  parseQuietHours,
  parseTimeOfDay,
} from '../src/core/time-of-day.ts';
import { zoneOffsetMs } from '../src/core/zone.ts';

const at = (iso: string): Date => new Date(iso);
const hm = (h: number, m = 0): number => h * 60 + m;
const q = (start: number, end: number): QuietHours => ({ start, end });

const NIGHT = q(hm(22), hm(6)); // crosses midnight
const EARLY = q(hm(1), hm(5)); // does not
const CHI = 'America/Chicago';
const LON = 'Europe/London';

describe('parseTimeOfDay', () => {
  it.each([
    ['07:30', 450],
    ['7:30', 450],
    [' 22:00 ', 1320],
    ['00:00', 0],
    ['23:59', 1439],
  ])('%j → %i', (input, minutes) => {
    expect(parseTimeOfDay(input)).toEqual({ ok: true, value: minutes });
  });

  it.each(['24:00', '07:60', '7:5', '0730', '7pm', '', '-1:00', '07:30:00'])('rejects %j saying what was expected', (input) => {
    const r = parseTimeOfDay(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(`"${input}" is not a time of day: expected HH:MM (24-hour clock), like 07:30`);
  });
});

describe('parseQuietHours', () => {
  it.each([
    ['22:00-06:00', q(1320, 360)],
    ['01:00-05:00', q(60, 300)],
    ['22:00 - 6:00', q(1320, 360)],
    ['22:00–06:00', q(1320, 360)], // en dash, as phones type it
    ['00:00-00:00', q(0, 0)], // always quiet
  ])('%j', (input, value) => {
    expect(parseQuietHours(input)).toEqual({ ok: true, value });
  });

  it.each(['22:00', '22-06', '22:00-06:00-07:00', '22:00-25:00', 'nights', ''])('rejects %j', (input) => {
    expect(parseQuietHours(input)).toEqual({
      ok: false,
      error: `"${input}" is not a quiet-hours window: expected HH:MM-HH:MM, like 22:00-06:00`,
    });
  });
});

describe('atLocalTime: local wall time on a local date → instant', () => {
  it.each([
    // [zone, local date, time, expected instant, what]
    [CHI, '2026-03-07', hm(22), '2026-03-08T04:00:00.000Z', 'CST'],
    [CHI, '2026-03-08', hm(22), '2026-03-09T03:00:00.000Z', 'CDT after spring forward'],
    [CHI, '2026-03-08', hm(2, 30), '2026-03-08T08:00:00.000Z', 'nonexistent 02:30 → 03:00 CDT, the end of the gap'],
    [CHI, '2026-03-08', hm(2), '2026-03-08T08:00:00.000Z', 'nonexistent 02:00 → 03:00 CDT'],
    [CHI, '2026-03-08', hm(3), '2026-03-08T08:00:00.000Z', '03:00 CDT exists'],
    [CHI, '2026-11-01', hm(1, 30), '2026-11-01T06:30:00.000Z', 'repeated 01:30 → first occurrence (CDT)'],
    [CHI, '2026-11-01', hm(1), '2026-11-01T06:00:00.000Z', 'repeated 01:00 → first occurrence (CDT)'],
    [CHI, '2026-11-01', hm(2), '2026-11-01T08:00:00.000Z', '02:00 CST, once'],
    [LON, '2026-03-29', hm(1, 30), '2026-03-29T01:00:00.000Z', 'nonexistent 01:30 → 02:00 BST'],
    [LON, '2026-10-25', hm(1, 30), '2026-10-25T00:30:00.000Z', 'repeated 01:30 → first occurrence (BST)'],
    ['Australia/Sydney', '2026-10-04', hm(2, 30), '2026-10-03T16:00:00.000Z', 'nonexistent 02:30 → 03:00 AEDT'],
    ['Asia/Kolkata', '2026-01-01', hm(7, 30), '2026-01-01T02:00:00.000Z', 'half-hour offset'],
    ['UTC', '2026-11-27', hm(0), '2026-11-27T00:00:00.000Z', 'UTC midnight'],
  ])('%s %s %i → %s (%s)', (zone, date, minutes, expected) => {
    expect(atLocalTime(Date.parse(`${date}T00:00:00Z`), minutes, zone).toISOString()).toBe(expected);
  });
});

describe('isInQuietHours', () => {
  it.each([
    // crossing midnight, UTC
    ['UTC', NIGHT, '2026-11-26T21:59:59.999Z', false],
    ['UTC', NIGHT, '2026-11-26T22:00:00.000Z', true],
    ['UTC', NIGHT, '2026-11-26T23:59:00.000Z', true],
    ['UTC', NIGHT, '2026-11-27T00:00:00.000Z', true],
    ['UTC', NIGHT, '2026-11-27T05:59:59.999Z', true],
    ['UTC', NIGHT, '2026-11-27T06:00:00.000Z', false],
    ['UTC', NIGHT, '2026-11-27T12:00:00.000Z', false],
    // not crossing midnight
    ['UTC', EARLY, '2026-11-27T00:59:00.000Z', false],
    ['UTC', EARLY, '2026-11-27T01:00:00.000Z', true],
    ['UTC', EARLY, '2026-11-27T04:59:00.000Z', true],
    ['UTC', EARLY, '2026-11-27T05:00:00.000Z', false],
    ['UTC', EARLY, '2026-11-27T23:00:00.000Z', false],
    // start == end: always
    ['UTC', q(0, 0), '2026-11-27T12:00:00.000Z', true],
    [CHI, q(hm(13), hm(13)), '2026-03-08T08:00:00.000Z', true],
    // Chicago, spring forward night (7 h): 22:00 CST .. 06:00 CDT
    [CHI, NIGHT, '2026-03-08T03:59:00.000Z', false],
    [CHI, NIGHT, '2026-03-08T04:00:00.000Z', true],
    [CHI, NIGHT, '2026-03-08T07:59:00.000Z', true], // 01:59 CST
    [CHI, NIGHT, '2026-03-08T08:00:00.000Z', true], // 03:00 CDT
    [CHI, NIGHT, '2026-03-08T10:59:00.000Z', true], // 05:59 CDT
    [CHI, NIGHT, '2026-03-08T11:00:00.000Z', false], // 06:00 CDT
    [CHI, NIGHT, '2026-03-09T02:59:00.000Z', false], // 21:59 CDT on the 8th
    [CHI, NIGHT, '2026-03-09T03:00:00.000Z', true], // 22:00 CDT on the 8th
    // Chicago, fall back night (9 h): 22:00 CDT .. 06:00 CST
    [CHI, NIGHT, '2026-11-01T02:59:00.000Z', false],
    [CHI, NIGHT, '2026-11-01T03:00:00.000Z', true],
    [CHI, NIGHT, '2026-11-01T06:30:00.000Z', true], // 01:30 CDT
    [CHI, NIGHT, '2026-11-01T07:30:00.000Z', true], // 01:30 CST
    [CHI, NIGHT, '2026-11-01T11:59:00.000Z', true], // 05:59 CST
    [CHI, NIGHT, '2026-11-01T12:00:00.000Z', false], // 06:00 CST
    // London both ways
    [LON, NIGHT, '2026-03-28T21:59:00.000Z', false],
    [LON, NIGHT, '2026-03-28T22:00:00.000Z', true],
    [LON, NIGHT, '2026-03-29T04:59:00.000Z', true], // 05:59 BST
    [LON, NIGHT, '2026-03-29T05:00:00.000Z', false], // 06:00 BST
    [LON, NIGHT, '2026-10-24T20:59:00.000Z', false],
    [LON, NIGHT, '2026-10-24T21:00:00.000Z', true], // 22:00 BST
    [LON, NIGHT, '2026-10-25T05:59:00.000Z', true], // 05:59 GMT
    [LON, NIGHT, '2026-10-25T06:00:00.000Z', false],
    // window start on a nonexistent time: 02:30-06:00 opens at 03:00 CDT on spring-forward day
    [CHI, q(hm(2, 30), hm(6)), '2026-03-08T07:59:00.000Z', false], // 01:59 CST
    [CHI, q(hm(2, 30), hm(6)), '2026-03-08T08:00:00.000Z', true], // 03:00 CDT
    // window end on a repeated time: 22:00-01:30 closes at the first 01:30; the repeat is not quiet
    [CHI, q(hm(22), hm(1, 30)), '2026-11-01T06:29:00.000Z', true], // 01:29 CDT
    [CHI, q(hm(22), hm(1, 30)), '2026-11-01T06:30:00.000Z', false], // 01:30 CDT
    [CHI, q(hm(22), hm(1, 30)), '2026-11-01T07:15:00.000Z', false], // 01:15 CST, the repeat
  ])('%s %j at %s → %s', (zone, quiet, now, expected) => {
    expect(isInQuietHours(at(now), quiet, zone)).toBe(expected);
  });
});

describe('nextQuietStart and quietEnd', () => {
  it.each([
    // [zone, window, now, next start, end, hours long]
    ['UTC', NIGHT, '2026-11-26T12:00:00.000Z', '2026-11-26T22:00:00.000Z', '2026-11-27T06:00:00.000Z', 8],
    ['UTC', NIGHT, '2026-11-26T23:00:00.000Z', '2026-11-26T23:00:00.000Z', '2026-11-27T06:00:00.000Z', 8], // inside: now
    ['UTC', NIGHT, '2026-11-27T03:00:00.000Z', '2026-11-27T03:00:00.000Z', '2026-11-27T06:00:00.000Z', 8],
    ['UTC', NIGHT, '2026-11-27T06:00:00.000Z', '2026-11-27T22:00:00.000Z', '2026-11-28T06:00:00.000Z', 8],
    ['UTC', EARLY, '2026-11-27T00:30:00.000Z', '2026-11-27T01:00:00.000Z', '2026-11-27T05:00:00.000Z', 4],
    ['UTC', EARLY, '2026-11-27T06:00:00.000Z', '2026-11-28T01:00:00.000Z', '2026-11-28T05:00:00.000Z', 4],
    // Chicago: the night before spring forward is 7 h, the night of 2026-03-08 is 8 h
    [CHI, NIGHT, '2026-03-07T18:00:00.000Z', '2026-03-08T04:00:00.000Z', '2026-03-08T11:00:00.000Z', 7],
    [CHI, NIGHT, '2026-03-08T17:00:00.000Z', '2026-03-09T03:00:00.000Z', '2026-03-09T11:00:00.000Z', 8],
    // Chicago: the night of 2026-10-31 into the fall-back morning is 9 h
    [CHI, NIGHT, '2026-10-31T17:00:00.000Z', '2026-11-01T03:00:00.000Z', '2026-11-01T12:00:00.000Z', 9],
    // London, both directions
    [LON, NIGHT, '2026-03-28T12:00:00.000Z', '2026-03-28T22:00:00.000Z', '2026-03-29T05:00:00.000Z', 7],
    [LON, NIGHT, '2026-10-24T11:00:00.000Z', '2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z', 9],
    // edges on nonexistent times open/close at the end of the gap
    [CHI, q(hm(2, 30), hm(6)), '2026-03-07T18:00:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-08T11:00:00.000Z', 3],
    [CHI, q(hm(22), hm(2, 30)), '2026-03-07T18:00:00.000Z', '2026-03-08T04:00:00.000Z', '2026-03-08T08:00:00.000Z', 4],
    [LON, q(hm(1, 30), hm(5)), '2026-03-28T12:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T04:00:00.000Z', 3],
    // edges on repeated times use the first occurrence
    [LON, q(hm(1, 30), hm(5)), '2026-10-24T12:00:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T05:00:00.000Z', 4.5],
    [CHI, q(hm(1, 30), hm(5)), '2026-10-31T12:00:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T11:00:00.000Z', 4.5],
    // a window wholly inside the gap (02:00-02:30 on 2026-03-08) does not exist; the next one does
    [CHI, q(hm(2), hm(2, 30)), '2026-03-07T18:00:00.000Z', '2026-03-09T07:00:00.000Z', '2026-03-09T07:30:00.000Z', 0.5],
  ])('%s %j at %s opens %s, closes %s (window %s h)', (zone, quiet, now, start, end, hours) => {
    expect(nextQuietStart(at(now), quiet, zone).toISOString()).toBe(start);
    expect(quietEnd(at(now), quiet, zone)?.toISOString()).toBe(end);
    const w = currentOrNextWindow(at(now), quiet, zone);
    expect(w && (w.end.getTime() - w.start.getTime()) / 3_600_000).toBe(hours);
  });

  it('start == end means always quiet: opens now, never closes', () => {
    const now = at('2026-11-01T07:30:00.000Z');
    expect(nextQuietStart(now, q(hm(3), hm(3)), CHI)).toBe(now);
    expect(quietEnd(now, q(hm(3), hm(3)), CHI)).toBeNull();
    expect(currentOrNextWindow(now, q(0, 0), CHI)).toBeNull();
  });

  it('the window never changes with the machine zone', () => {
    // This suite is also run with TZ=Asia/Tokyo and TZ=America/Chicago: only Intl reads the zone.
    expect(zoneOffsetMs(LON, Date.parse('2026-03-08T02:30:00Z'))).toBe(0);
    expect(zoneOffsetMs('Australia/Sydney', Date.parse('2026-10-03T16:30:00Z'))).toBe(11 * 3_600_000);
    expect(formatOwnerTime(at('2026-03-08T02:30:00Z'), at('2026-03-08T01:00:00Z'), LON)).toBe('02:30');
  });
});

describe('nextDailyAt: the next 07:30 strictly after an instant', () => {
  it.each([
    ['UTC', hm(7, 30), '2026-11-27T07:29:59.999Z', '2026-11-27T07:30:00.000Z'],
    ['UTC', hm(7, 30), '2026-11-27T07:30:00.000Z', '2026-11-28T07:30:00.000Z'], // strictly after
    // Chicago spring forward: 23 h between summaries
    [CHI, hm(7, 30), '2026-03-07T13:30:00.000Z', '2026-03-08T12:30:00.000Z'],
    [CHI, hm(7, 30), '2026-03-07T13:29:00.000Z', '2026-03-07T13:30:00.000Z'],
    // Chicago fall back: 25 h
    [CHI, hm(7, 30), '2026-10-31T12:30:00.000Z', '2026-11-01T13:30:00.000Z'],
    // London both ways
    [LON, hm(7, 30), '2026-03-28T07:30:00.000Z', '2026-03-29T06:30:00.000Z'],
    [LON, hm(7, 30), '2026-10-24T06:30:00.000Z', '2026-10-25T07:30:00.000Z'],
    // a nonexistent time fires at the end of the gap
    [CHI, hm(2, 30), '2026-03-07T12:00:00.000Z', '2026-03-08T08:00:00.000Z'],
    // a repeated time fires once, at its first occurrence
    [CHI, hm(1, 30), '2026-11-01T00:00:00.000Z', '2026-11-01T06:30:00.000Z'],
    [CHI, hm(1, 30), '2026-11-01T06:30:00.000Z', '2026-11-02T07:30:00.000Z'],
    ['Asia/Kolkata', hm(7, 30), '2026-01-01T00:00:00.000Z', '2026-01-01T02:00:00.000Z'],
  ])('%s %i after %s → %s', (zone, minutes, after, expected) => {
    expect(nextDailyAt(at(after), minutes, zone).toISOString()).toBe(expected);
  });
});

describe('one pass asking about many instants (quietView, ownerClock): the same answers as asking each alone', () => {
  // Every 7 minutes over the DST weeks, asked in a scrambled order, so a window remembered from one
  // instant is reused for others before and after it.
  const scrambled = (from: string, days: number): Date[] => {
    const start = Date.parse(from);
    const all = Array.from({ length: Math.floor((days * 24 * 60) / 7) }, (_, i) => new Date(start + i * 7 * 60_000));
    let seed = 7;
    for (let i = all.length - 1; i > 0; i--) {
      seed = (seed * 48271) % 2147483647;
      const j = seed % (i + 1);
      [all[i], all[j]] = [all[j] as Date, all[i] as Date];
    }
    return all;
  };
  it.each([
    [CHI, NIGHT, '2026-03-06T00:00:00Z'],
    [CHI, NIGHT, '2026-10-30T00:00:00Z'],
    [CHI, q(hm(2, 30), hm(6)), '2026-03-06T00:00:00Z'],
    [CHI, q(hm(22), hm(1, 30)), '2026-10-30T00:00:00Z'],
    [LON, NIGHT, '2026-03-27T00:00:00Z'],
    [LON, EARLY, '2026-10-23T00:00:00Z'],
    ['Australia/Sydney', NIGHT, '2026-10-02T00:00:00Z'],
    ['UTC', q(0, 0), '2026-11-26T00:00:00Z'],
  ])('%s %j from %s', (zone, quiet, from) => {
    const view = quietView(quiet, zone);
    for (const t of scrambled(from, 4)) {
      expect(view.isQuiet(t)).toBe(isInQuietHours(t, quiet, zone));
      expect(view.nextStart(t).toISOString()).toBe(nextQuietStart(t, quiet, zone).toISOString());
      expect(view.end(t)?.toISOString() ?? null).toBe(quietEnd(t, quiet, zone)?.toISOString() ?? null);
    }
  });

  it.each([CHI, LON, 'Asia/Kolkata'])('ownerClock formats and reads like formatOwnerTime and localTimeOf (%s)', (zone) => {
    const now = at('2026-03-08T18:00:00Z');
    const clock = ownerClock(now, zone);
    for (const t of [...scrambled('2026-03-07T00:00:00Z', 3), at('2027-01-01T09:00:00Z'), at('2025-12-31T23:00:00Z')]) {
      expect(clock.format(t)).toBe(formatOwnerTime(t, now, zone));
      expect(clock.localTime(t)).toEqual(localTimeOf(t, zone));
    }
  });
});

describe('bad settings fail loudly', () => {
  it('an unknown zone names itself', () => {
    expect(() => isInQuietHours(at('2026-01-01T00:00:00Z'), NIGHT, 'Mars/Olympus')).toThrow(
      'unknown time zone "Mars/Olympus": expected an IANA name like Europe/London',
    );
  });
  it.each([q(-1, 360), q(1320, 1440), q(22.5, 360)])('an out-of-range window %j', (quiet) => {
    expect(() => nextQuietStart(at('2026-01-01T00:00:00Z'), quiet, 'UTC')).toThrow(RangeError);
  });
  it.each([q(-1, 360), q(1320, 1440), q(22.5, 360)])('an out-of-range window %j, for a whole pass too', (quiet) => {
    expect(() => quietView(quiet, 'UTC')).toThrow(RangeError);
  });
  it('localDateOf reads the owner date, not the machine date', () => {
    expect(localDateOf(at('2026-11-27T05:00:00Z'), CHI)).toBe(Date.parse('2026-11-26T00:00:00Z'));
  });
});
