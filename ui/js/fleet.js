// The Fleet page (the start page): counts per status and site (GET /fleet-summary, counted by the
// server, so the fleet is never read whole), filters, search, and the camera table one page at a
// time (the API's limit/after), both refreshed on each live event (/events/stream) and every 10 s.
import * as api from './api.js';
import {clear, field, h} from './dom.js';
import {onlineText, percent, rate, seconds, timeElement} from './format.js';

const PAGE_SIZE = 50;
const REFRESH_MS = 10000; // the bound: no polling more often than every 10 s
const SITE_ROWS = 8;       // sites the per-site table shows before "and N more sites"

const columns = [
	{key: 'name', label: 'Name', value: (c) => (c.name || c.serialNumber).toLowerCase()},
	{key: 'serialNumber', label: 'Serial number', value: (c) => c.serialNumber},
	{key: 'site', label: 'Site', value: (c, sites) => (sites.get(c.siteId) || {}).name || ''},
	{key: 'state', label: 'State', value: (c) => c.state},
	{key: 'online', label: 'Status', value: (c) => (c.isOnline ? 0 : 1) * 1e13 - Date.parse(c.lastSeenAt || 0)},
	{key: 'frames', label: 'Encoded frames', value: (c) => c.encodedFramesProportion, numeric: true},
	{key: 'network', label: 'Network', value: (c) => c.networkTransmitRate, numeric: true},
	{key: 'backlog', label: 'Video backlog', value: (c) => c.videoBacklog, numeric: true},
	{key: 'latency', label: 'Upload latency', value: (c) => c.videoUploadLatency, numeric: true},
	{key: 'lastVideo', label: 'Last video', value: (c) => Date.parse(c.lastVideoAt || 0), numeric: true},
];

export async function showFleet(main, who) {
	const state = {siteId: '', state: '', online: '', q: '', cursors: [null], page: 0, sort: null, rows: [], next: null};
	const sites = new Map();
	for (const site of await api.get('/sites')) sites.set(site.id, site);

	const summary = h('section', {class: 'summary', 'aria-label': 'Fleet summary'});
	const perSite = h('section', {class: 'per-site', 'aria-label': 'Cameras per site'});
	const tableBody = h('tbody');
	const headRow = h('tr');
	const pageInfo = h('span', {class: 'muted', 'aria-live': 'polite'});
	const previous = h('button', {type: 'button', onclick: () => turn(-1)}, 'Previous page');
	const next = h('button', {type: 'button', onclick: () => turn(1)}, 'Next page');
	const updated = h('span', {class: 'muted updated'});

	const siteSelect = h('select', {name: 'site'}, h('option', {value: ''}, 'All sites'),
	                     [...sites.values()].sort((a, b) => a.name.localeCompare(b.name))
	                         .map((site) => h('option', {value: site.id}, site.name)));
	const stateSelect = h('select', {name: 'state'}, h('option', {value: ''}, 'Running and paused'),
	                      h('option', {value: 'running'}, 'Running'), h('option', {value: 'paused'}, 'Paused'),
	                      h('option', {value: 'decommissioned'}, 'Decommissioned'),
	                      who.role === 'operator' ? h('option', {value: 'registered'}, 'Registered') : null);
	const onlineSelect = h('select', {name: 'online'}, h('option', {value: ''}, 'Online and offline'),
	                       h('option', {value: 'true'}, 'Online'), h('option', {value: 'false'}, 'Offline'));
	const search = h('input', {type: 'search', name: 'q', placeholder: 'Name or serial number', autocomplete: 'off'});
	const filters = h('form', {class: 'filters', role: 'search', onsubmit: (event) => event.preventDefault()},
	                  field('Site', siteSelect), field('State', stateSelect), field('Online status', onlineSelect),
	                  field('Search', search));
	const changed = () => {
		state.siteId = siteSelect.value;
		state.state = stateSelect.value;
		state.online = onlineSelect.value;
		state.q = search.value.trim();
		state.cursors = [null];
		state.page = 0;
		loadPage();
	};
	for (const control of [siteSelect, stateSelect, onlineSelect]) control.addEventListener('change', changed);
	let searchTimer = null;
	search.addEventListener('input', () => {
		clearTimeout(searchTimer);
		searchTimer = setTimeout(changed, 250);
	});

	for (const column of columns) {
		const button = h('button', {type: 'button', class: 'sort', onclick: () => sortBy(column)}, column.label);
		headRow.append(h('th', {scope: 'col', class: column.numeric ? 'numeric' : null, dataset: {key: column.key}}, button));
	}

	main.append(h('div', {class: 'page-head'}, h('h1', {}, 'Fleet'), updated), h('div', {class: 'overview'}, summary, perSite), filters,
	            h('div', {class: 'table-wrap'}, h('table', {class: 'cameras', 'aria-label': 'Cameras'}, h('thead', {}, headRow), tableBody)),
	            h('div', {class: 'pager'}, previous, pageInfo, next));

	function parameters() {
		return {limit: PAGE_SIZE, after: state.cursors[state.page], siteId: state.siteId,
		        state: state.state || undefined, isOnline: state.online, q: state.q};
	}

	let generation = 0;
	async function loadPage() {
		const mine = ++generation;
		const {data, response} = await api.call('GET', `/cameras${api.query(parameters())}`);
		if (mine !== generation) return; // a newer filter or page won
		state.rows = data;
		const link = api.nextLink(response);
		state.next = link ? new URL(link, location.origin).searchParams.get('after') : null;
		drawRows();
		// when the first rows showed, in ms since the page started loading (tests/ui measure it)
		if (!performance.getEntriesByName('camfleet:first-rows').length) performance.mark('camfleet:first-rows');
		updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
	}

	function turn(step) {
		if (step > 0 && state.next) {
			state.cursors[state.page + 1] = state.next;
			state.page++;
		} else if (step < 0 && state.page > 0) {
			state.page--;
		}
		loadPage();
	}

	function sortBy(column) {
		const direction = state.sort && state.sort.key === column.key && state.sort.direction === 'ascending' ? 'descending'
		                                                                                                 : 'ascending';
		state.sort = {key: column.key, direction};
		drawRows();
	}

	function drawRows() {
		let rows = state.rows.slice();
		if (state.sort) {
			const column = columns.find((c) => c.key === state.sort.key);
			const sign = state.sort.direction === 'ascending' ? 1 : -1;
			rows.sort((a, b) => {
				const x = column.value(a, sites), y = column.value(b, sites);
				return (x < y ? -1 : x > y ? 1 : 0) * sign;
			});
		}
		for (const th of headRow.children)
			th.setAttribute('aria-sort', state.sort && state.sort.key === th.dataset.key ? state.sort.direction : 'none');
		clear(tableBody);
		if (rows.length === 0)
			tableBody.append(h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, 'No cameras match these filters.')));
		for (const camera of rows) tableBody.append(cameraRow(camera, sites));
		previous.disabled = state.page === 0;
		next.disabled = !state.next;
		const first = state.page * PAGE_SIZE + (rows.length ? 1 : 0);
		pageInfo.textContent = `Cameras ${first}–${state.page * PAGE_SIZE + rows.length}`;
	}

	async function loadCounts() {
		drawSummary(summary, perSite, await api.get('/fleet-summary'), sites);
	}

	await loadPage();
	loadCounts().catch(() => {});
	// A change of a camera (claim, pause, move, offline alert, …) shows at once through the live
	// events; metrics and heartbeats, which write no event, through the refresh every 10 s.
	const live = new AbortController();
	let soon = null;
	const followLive = () => api.followEvents(() => {
		clearTimeout(soon);
		soon = setTimeout(() => {
			loadPage().catch(() => {});
			loadCounts().catch(() => {});
		}, 500); // a burst of events, one refresh
	}, live.signal).catch(() => {}).finally(() => {
		if (!live.signal.aborted) setTimeout(followLive, REFRESH_MS); // reconnect, calmly
	});
	followLive();
	const timer = setInterval(() => {
		loadPage().catch(() => {});
		loadCounts().catch(() => {}); // one small aggregate, whatever the fleet's size
	}, REFRESH_MS);
	return () => {
		clearInterval(timer);
		clearTimeout(soon);
		live.abort();
	};
}

function cameraRow(camera, sites) {
	const site = sites.get(camera.siteId);
	const status = onlineText(camera);
	return h('tr', {},
	         h('td', {}, h('a', {href: `/ui/cameras/${camera.id}`, 'data-link': true}, camera.name || camera.serialNumber)),
	         h('td', {class: 'mono'}, camera.serialNumber),
	         h('td', {}, site ? site.name : '–'),
	         h('td', {}, h('span', {class: `badge state-${camera.state}`}, camera.state)),
	         h('td', {}, h('span', {class: `status ${camera.isOnline ? 'is-online' : 'is-offline'}`,
	                                 title: camera.lastSeenAt ? `Last heartbeat ${camera.lastSeenAt}` : 'No heartbeat yet'}, status)),
	         h('td', {class: 'numeric'}, percent(camera.encodedFramesProportion)),
	         h('td', {class: 'numeric'}, rate(camera.networkTransmitRate)),
	         h('td', {class: 'numeric'}, seconds(camera.videoBacklog)),
	         h('td', {class: 'numeric'}, seconds(camera.videoUploadLatency)),
	         h('td', {class: 'numeric'}, timeElement(camera.lastVideoAt)));
}

// The counts of GET /fleet-summary: the tiles, and the sites by name (SITE_ROWS of them).
function drawSummary(summary, perSite, counts, sites) {
	clear(summary).append(
	    tile('Cameras', counts.cameras, 'total'), tile('Online', counts.online, 'online'),
	    tile('Offline', counts.offline, 'offline'), tile('Paused', counts.paused, 'paused'));
	const rows = counts.sites.map((site) => ({name: (sites.get(site.siteId) || {}).name || 'No site', counts: site}))
	                 .sort((a, b) => a.name.localeCompare(b.name));
	clear(perSite).append(
	    h('table', {class: 'compact', 'aria-label': 'Cameras per site'},
	      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Site'), h('th', {scope: 'col', class: 'numeric'}, 'Online'),
	                       h('th', {scope: 'col', class: 'numeric'}, 'Offline'), h('th', {scope: 'col', class: 'numeric'}, 'Paused'))),
	      h('tbody', {}, rows.slice(0, SITE_ROWS).map((row) => h('tr', {}, h('td', {}, row.name),
	                                                      h('td', {class: 'numeric'}, row.counts.online.toLocaleString()),
	                                                      h('td', {class: 'numeric'}, row.counts.offline.toLocaleString()),
	                                                      h('td', {class: 'numeric'}, row.counts.paused.toLocaleString()))))),
	    ...(rows.length > SITE_ROWS ? [h('p', {class: 'muted'}, `and ${rows.length - SITE_ROWS} more sites`)] : []));
}

function tile(label, value, kind) {
	return h('div', {class: `tile tile-${kind}`}, h('span', {class: 'tile-value'}, value.toLocaleString()), h('span', {class: 'tile-label'}, label));
}

