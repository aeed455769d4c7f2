// Deadline words, read in the owner's zone: our own meanings (dates.ts), daylight-saving edges in
// America/Chicago (2026-03-08 and 2026-11-01), far zones (Asia/Kolkata, Pacific/Auckland), and
// words that must not become deadlines. Run under any machine zone: TZ=UTC, TZ=Asia/Tokyo, ...
import { describe, expect, it } from 'vitest';
import { findDeadline } from '../src/core/intake/dates.ts';
import { interpretMessage } from '../src/core/intake/index.ts';
import { toIsoInZone } from '../src/core/intake/zoned.ts';

const CHI = 'America/Chicago';
const WED_10AM = '2026-03-04T16:00:00Z'; // Wednesday 10:00 CST

type Row = [zone: string, nowUtc: string, said: string, deadline: string, label: string];

const deadlineOf = (zone: string, nowUtc: string, said: string): string | null => {
  const result = interpretMessage(`build the weekly report ${said}`, { now: new Date(nowUtc), timeZone: zone });
  if (result.kind !== 'tasks') throw new Error(`expected tasks, got ${JSON.stringify(result)}`);
  return result.drafts[0]?.deadline ?? null;
};

const OWN_MEANINGS: Row[] = [
  [CHI, WED_10AM, 'by tonight', '2026-03-04T23:59:00-06:00', 'tonight is today 23:59'],
  [CHI, '2026-03-04T06:30:00Z', 'tonight', '2026-03-04T23:59:00-06:00', 'tonight said at 00:30 is still today 23:59'],
  [CHI, WED_10AM, 'by tomorrow', '2026-03-05T09:00:00-06:00', 'tomorrow is 09:00'],
  [CHI, WED_10AM, 'tomorrow 3pm', '2026-03-05T15:00:00-06:00', 'tomorrow with a time keeps it'],
  [CHI, WED_10AM, 'by 3pm tomorrow', '2026-03-05T15:00:00-06:00', 'time before tomorrow'],
  [CHI, WED_10AM, 'by tomorrow morning', '2026-03-05T09:00:00-06:00', 'tomorrow morning is 09:00'],
  [CHI, WED_10AM, 'tomorrow night', '2026-03-05T23:59:00-06:00', 'tomorrow night is 23:59'],
  [CHI, WED_10AM, 'by end of day', '2026-03-04T18:00:00-06:00', 'end of day is 18:00'],
  [CHI, '2026-03-05T01:00:00Z', 'EOD', '2026-03-04T23:59:00-06:00', 'EOD after 18:00 is 23:59'],
  [CHI, WED_10AM, 'by COB', '2026-03-04T18:00:00-06:00', 'close of business'],
  [CHI, WED_10AM, 'this weekend', '2026-03-08T23:59:00-05:00', 'this weekend is the coming Sunday 23:59'],
  [CHI, '2026-03-08T15:00:00Z', 'this weekend', '2026-03-08T23:59:00-05:00', 'this weekend on Sunday is today'],
  [CHI, WED_10AM, 'this week', '2026-03-06T18:00:00-06:00', 'this week is Friday 18:00'],
  [CHI, '2026-03-07T01:00:00Z', 'by the end of the week', '2026-03-08T23:59:00-05:00', 'this week after Friday 18:00 is Sunday 23:59'],
  [CHI, WED_10AM, 'next week', '2026-03-13T18:00:00-05:00', "next week is next week's Friday 18:00"],
  [CHI, WED_10AM, 'by friday', '2026-03-06T18:00:00-06:00', 'a bare weekday is 18:00'],
  [CHI, '2026-03-06T16:00:00Z', 'by friday', '2026-03-06T18:00:00-06:00', 'by friday on Friday morning is today'],
  [CHI, '2026-03-07T01:00:00Z', 'by friday', '2026-03-13T18:00:00-05:00', 'by friday on Friday evening is next week'],
  [CHI, WED_10AM, 'by friday evening', '2026-03-06T20:00:00-06:00', 'friday evening'],
  [CHI, WED_10AM, 'by monday 10am', '2026-03-09T10:00:00-05:00', 'weekday with a time keeps it'],
  [CHI, WED_10AM, 'on monday', '2026-03-09T18:00:00-05:00', 'on a weekday'],
  [CHI, WED_10AM, 'friday night', '2026-03-06T23:59:00-06:00', 'a night is 23:59'],
  [CHI, WED_10AM, 'by the weekend', '2026-03-08T23:59:00-05:00', 'by the weekend'],
  [CHI, WED_10AM, 'by 9am', '2026-03-05T09:00:00-06:00', 'a past time today means tomorrow'],
  [CHI, WED_10AM, 'by 5pm', '2026-03-04T17:00:00-06:00', 'a later time today stays today'],
  [CHI, WED_10AM, 'by 5pm EST', '2026-03-04T16:00:00-06:00', 'a written zone wins'],
  [CHI, WED_10AM, 'by 9am EST', '2026-03-05T08:00:00-06:00', 'a written zone, past today, means tomorrow'],
  [CHI, WED_10AM, 'by morning', '2026-03-05T09:00:00-06:00', 'by morning is the next 09:00'],
  [CHI, WED_10AM, 'in 90 minutes', '2026-03-04T11:30:00-06:00', 'relative minutes'],
  [CHI, WED_10AM, 'by 2026-03-10', '2026-03-10T18:00:00-05:00', 'ISO date'],
  [CHI, WED_10AM, 'by december 3rd at 4pm', '2026-12-03T16:00:00-06:00', 'date and time'],
  [CHI, '2026-07-01T15:00:00Z', 'by Dec 3', '2026-12-03T18:00:00-06:00', 'a winter date said in summer gets the winter offset'],
  ['UTC', WED_10AM, 'tonight', '2026-03-04T23:59:00Z', 'UTC owner'],
];

const DST_EDGES: Row[] = [
  // Saturday 2026-03-07 22:00 CST: clocks jump 02:00 → 03:00 on Sunday.
  [CHI, '2026-03-08T04:00:00Z', 'tonight', '2026-03-07T23:59:00-06:00', 'tonight before spring-forward'],
  [CHI, '2026-03-08T04:00:00Z', 'tomorrow', '2026-03-08T09:00:00-05:00', 'tomorrow across spring-forward is 09:00 CDT'],
  [CHI, '2026-03-08T04:00:00Z', 'this weekend', '2026-03-08T23:59:00-05:00', 'this weekend on Saturday'],
  [CHI, '2026-03-08T04:00:00Z', 'in 6 hours', '2026-03-08T05:00:00-05:00', 'six real hours across the jump'],
  // Sunday 2026-03-08 01:30 CST, half an hour before the jump.
  [CHI, '2026-03-08T07:30:00Z', 'tonight', '2026-03-08T23:59:00-05:00', 'tonight on the spring-forward day'],
  [CHI, '2026-03-08T07:30:00Z', 'tomorrow', '2026-03-09T09:00:00-05:00', 'tomorrow after spring-forward'],
  [CHI, '2026-03-08T07:30:00Z', 'by 2:30am', '2026-03-08T03:30:00-05:00', 'a skipped time moves forward by the gap'],
  // Saturday 2026-10-31 20:00 CDT: clocks go back 02:00 → 01:00 on Sunday.
  [CHI, '2026-11-01T01:00:00Z', 'tonight', '2026-10-31T23:59:00-05:00', 'tonight before fall-back'],
  [CHI, '2026-11-01T01:00:00Z', 'tomorrow', '2026-11-01T09:00:00-06:00', 'tomorrow across fall-back is 09:00 CST'],
  [CHI, '2026-11-01T01:00:00Z', 'this weekend', '2026-11-01T23:59:00-06:00', 'this weekend across fall-back'],
  // Sunday 2026-11-01 00:30 CDT.
  [CHI, '2026-11-01T05:30:00Z', 'tonight', '2026-11-01T23:59:00-06:00', 'tonight on the fall-back day'],
  [CHI, '2026-11-01T05:30:00Z', 'in 3 hours', '2026-11-01T02:30:00-06:00', 'three real hours across fall-back'],
  [CHI, '2026-11-01T05:30:00Z', 'by 1:30am', '2026-11-01T01:30:00-05:00', 'a repeated time is the first one'],
];

const FAR_ZONES: Row[] = [
  // 20:00 UTC Wednesday is already 01:30 Thursday in Kolkata.
  ['Asia/Kolkata', '2026-03-04T20:00:00Z', 'tonight', '2026-03-05T23:59:00+05:30', 'Kolkata: tonight is the owner’s Thursday'],
  ['Asia/Kolkata', '2026-03-04T20:00:00Z', 'tomorrow', '2026-03-06T09:00:00+05:30', 'Kolkata: tomorrow is Friday'],
  ['Asia/Kolkata', '2026-03-04T20:00:00Z', 'by friday', '2026-03-06T18:00:00+05:30', 'Kolkata: friday'],
  ['Asia/Kolkata', '2026-03-04T20:00:00Z', 'by end of day', '2026-03-05T18:00:00+05:30', 'Kolkata: end of day'],
  // 16:00 UTC Wednesday is 05:00 Thursday in Auckland (NZDT, +13).
  ['Pacific/Auckland', WED_10AM, 'tonight', '2026-03-05T23:59:00+13:00', 'Auckland: tonight'],
  ['Pacific/Auckland', WED_10AM, 'tomorrow', '2026-03-06T09:00:00+13:00', 'Auckland: tomorrow'],
  ['Pacific/Auckland', WED_10AM, 'by 9am', '2026-03-05T09:00:00+13:00', 'Auckland: 9am still ahead today'],
  // Friday 2026-04-03 12:00 NZDT; clocks go back on Sunday 2026-04-05 03:00 → 02:00.
  ['Pacific/Auckland', '2026-04-02T23:00:00Z', 'this weekend', '2026-04-05T23:59:00+12:00', 'Auckland: weekend across its fall-back'],
  ['Pacific/Auckland', '2026-04-02T23:00:00Z', 'in 2 days', '2026-04-05T12:00:00+12:00', 'Auckland: in 2 days keeps the time of day'],
];

describe('deadline meanings', () => {
  it.each(OWN_MEANINGS)('%s %s "%s" → %s (%s)', (zone, now, said, deadline) => {
    expect(deadlineOf(zone, now, said)).toBe(deadline);
  });
});

describe('deadlines across daylight-saving changes in America/Chicago', () => {
  it.each(DST_EDGES)('%s %s "%s" → %s (%s)', (zone, now, said, deadline) => {
    expect(deadlineOf(zone, now, said)).toBe(deadline);
  });
});

describe('deadlines in zones far from UTC', () => {
  it.each(FAR_ZONES)('%s %s "%s" → %s (%s)', (zone, now, said, deadline) => {
    expect(deadlineOf(zone, now, said)).toBe(deadline);
  });
});

describe('findDeadline', () => {
  const ctx = { now: new Date(WED_10AM), timeZone: CHI };

  it.each([
    ['build a Spotify integration by tonight', 'by tonight'],
    ['build X tomorrow at 3pm please', 'tomorrow at 3pm'],
    ['build X due friday', 'due friday'],
    ['build X before noon', 'before noon'],
    ['build X within 2 days', 'within 2 days'],
    ['build X for tomorrow', 'for tomorrow'],
    ['build X no later than thursday 4pm', 'no later than thursday 4pm'],
    ['build X friday 5pm', 'friday 5pm'],
    ['build X tonight, fix Y by friday', 'tonight'],
  ])('%j → %j', (text, phrase) => {
    expect(findDeadline(text, ctx)?.phrase).toBe(phrase);
  });

  it.each([
    'build the morning digest',
    'build the weekend planner',
    'build the today view',
    'build a tomorrow-style forecast widget',
    "prepare friday's demo deck",
    'build a page that updates every friday',
    'fix the bug we saw last friday',
    'make a second version of the parser',
    'render the scene in 3d',
    'build a 3d viewer',
    'ship the now-playing widget',
    'build a may 2026 banner',
  ])('%j has no deadline', (text) => {
    expect(findDeadline(text, ctx)).toBeNull();
  });

  it('flags a past date as past instead of inventing a future one', () => {
    expect(findDeadline('build X by yesterday', ctx)).toMatchObject({ phrase: 'by yesterday', past: true });
  });

  it('reads a whole --by value in value mode', () => {
    const m = findDeadline('friday 5pm', ctx, 'value');
    expect(m).toMatchObject({ phrase: 'friday 5pm', start: 0 });
    expect(m && toIsoInZone(m.at, CHI)).toBe('2026-03-06T17:00:00-06:00');
  });
});
