// How the dashboard writes times, durations and numbers: relative times with the absolute time on
// hover, units on every number.
import {h} from './dom.js';

export function relativeTime(iso, now = Date.now()) {
	if (!iso) return 'never';
	const seconds = Math.round((now - Date.parse(iso)) / 1000);
	const future = seconds < 0;
	const text = duration(Math.abs(seconds));
	if (text === 'just now') return text;
	return future ? `in ${text}` : `${text} ago`;
}

export function duration(seconds) {
	if (seconds < 10) return 'just now';
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.round(seconds / 60);
	if (minutes < 60) return `${minutes} min`;
	const hours = Math.round(minutes / 60);
	if (hours < 48) return `${hours} h`;
	return `${Math.round(hours / 24)} days`;
}

export function absoluteTime(iso) {
	return iso ? new Date(iso).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'medium'}) : '';
}

// <time> showing "3 min ago", the exact local and UTC time on hover.
export function timeElement(iso) {
	if (!iso) return h('span', {class: 'muted'}, 'never');
	return h('time', {datetime: iso, title: `${absoluteTime(iso)} (${iso.replace('T', ' ').replace('Z', ' UTC')})`},
	         relativeTime(iso));
}

export function onlineText(camera) {
	if (camera.isOnline) return 'online';
	if (!camera.lastSeenAt) return 'never seen';
	const seconds = Math.max(0, Math.round((Date.now() - Date.parse(camera.lastSeenAt)) / 1000));
	return `offline for ${duration(seconds).replace('just now', 'a few s')}`;
}

export function percent(fraction) {
	return fraction === undefined || fraction === null ? '–' : `${(fraction * 100).toFixed(0)} %`;
}

export function bytes(value) {
	if (value === undefined || value === null) return '–';
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

export function rate(bytesPerSecond) {
	return bytesPerSecond === undefined || bytesPerSecond === null ? '–' : `${bytes(bytesPerSecond)}/s`;
}

export function seconds(value) {
	if (value === undefined || value === null) return '–';
	return value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`;
}

// "09:00" in the given IANA time zone.
export function clockIn(iso, timeZone) {
	return new Date(iso).toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit', timeZone});
}
