// Opening hours in the browser: the shapes of the API (intervals "HH:MM"), which interval an API
// message names, and a date's intervals in local time and UTC for the preview. No I/O.
export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const dayLabel = (day) => day[0].toUpperCase() + day.slice(1);

// The first interval an API message names: "weekly.monday[1] (..) overlaps ..." → {day: 'monday',
// index: 1}; "intervals[0] ..." → {day: null, index: 0}; anything else → null.
export function namedInterval(message) {
	const weekly = message.match(/weekly\.([a-z]+)\[(\d+)\]/);
	if (weekly) return {day: weekly[1], index: Number(weekly[2])};
	const day = message.match(/weekly\.([a-z]+)/);
	if (day) return {day: day[1], index: null};
	const exception = message.match(/(?:^|\s)intervals\[(\d+)\]/);
	if (exception) return {day: null, index: Number(exception[1])};
	return null;
}

// Every weekly interval an API message names, as "monday:1" keys (an overlap names two).
export function namedWeeklyIntervals(message) {
	return [...message.matchAll(/weekly\.([a-z]+)\[(\d+)\]/g)].map((match) => `${match[1]}:${match[2]}`);
}

// "09:00-12:00, 13:00-17:30" → [{open, close}, ...]; throws on a malformed piece.
export function parseIntervals(text) {
	const pieces = text.split(',').map((piece) => piece.trim()).filter(Boolean);
	return pieces.map((piece) => {
		const match = piece.match(/^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/);
		if (!match) throw new Error(`“${piece}” is not an interval like 09:00-17:30`);
		return {open: match[1].padStart(5, '0'), close: match[2].padStart(5, '0')};
	});
}

export const formatIntervals = (intervals) => (intervals.length ? intervals.map((i) => `${i.open}–${i.close}`).join(', ') : 'Closed');

// The offset (ms) of timeZone from UTC at the instant ms.
function offsetAt(ms, timeZone) {
	const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
		timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
	const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
	return asUtc - Math.floor(ms / 1000) * 1000;
}

// The UTC instant (ms) of a local wall time on a date ("2025-06-03", "09:30") in timeZone.
export function localToUtc(date, time, timeZone) {
	const [year, month, day] = date.split('-').map(Number);
	const [hour, minute] = time.split(':').map(Number);
	const wall = Date.UTC(year, month - 1, day, hour, minute);
	let guess = wall - offsetAt(wall, timeZone);
	guess = wall - offsetAt(guess, timeZone);
	return guess;
}

// The next date of "YYYY-MM-DD".
export function nextDate(date) {
	const [year, month, day] = date.split('-').map(Number);
	return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

// The weekday name of a date.
export function weekdayOf(date) {
	const [year, month, day] = date.split('-').map(Number);
	return DAYS[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7];
}

// The intervals opening on date (its exception if any, else its weekday), each with its local
// and UTC times: [{open, close, openUtc, closeUtc}] (close on the next date when past midnight).
export function previewDate(date, weekly, exceptions, timeZone) {
	const exception = exceptions.find((e) => e.date === date);
	const intervals = exception ? exception.intervals : weekly[weekdayOf(date)] || [];
	return intervals.map(({open, close}) => {
		const overnight = close === '24:00' || close === '00:00' || close < open;
		const closeDate = overnight ? nextDate(date) : date;
		const closeTime = close === '24:00' ? '00:00' : close;
		return {open, close, openUtc: new Date(localToUtc(date, open, timeZone)).toISOString().replace('.000', ''),
		        closeUtc: new Date(localToUtc(closeDate, closeTime, timeZone)).toISOString().replace('.000', ''),
		        fromException: Boolean(exception)};
	});
}
