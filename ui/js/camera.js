// The Camera page: everything the API says about one camera, a live frame, the last 24 h of video
// uploads, today's opening hours of its site, its position history, and the actions the role
// may take (Rename, Pause / Resume, Move, Decommission).
import * as api from './api.js';
import {append, clear, field, h, toast} from './dom.js';
import {modal} from './modal.js';
import {absoluteTime, bytes, clockIn, onlineText, percent, rate, seconds, timeElement} from './format.js';

export async function showCamera(main, who, cameraId) {
	const camera = await api.get(`/cameras/${cameraId}`);
	const site = camera.siteId ? await api.get(`/sites/${camera.siteId}`).catch(() => null) : null;
	const view = h('div', {class: 'camera-page'});
	main.append(view);
	const redraw = async () => {
		const fresh = await api.get(`/cameras/${cameraId}`);
		const freshSite = fresh.siteId ? await api.get(`/sites/${fresh.siteId}`).catch(() => null) : null;
		draw(view, who, fresh, freshSite, redraw);
	};
	draw(view, who, camera, site, redraw);
	const timer = setInterval(() => redraw().catch(() => {}), 10000);
	return () => clearInterval(timer);
}

function draw(view, who, camera, site, redraw) {
	clear(view);
	const title = camera.name || camera.serialNumber;
	append(view, [
	    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/ui/', 'data-link': true}, 'Fleet'), ' / ', title),
	    h('div', {class: 'page-head'}, h('h1', {}, title),
	      h('span', {class: `badge state-${camera.state}`}, camera.state),
	      h('span', {class: `status ${camera.isOnline ? 'is-online' : 'is-offline'}`}, onlineText(camera))),
	    api.canWrite(who) ? actions(who, camera, redraw) : null,
	    h('div', {class: 'grid'}, details(camera, site), liveFrame(camera), uploads(camera), openingHours(camera, site),
	      positions(camera))]);
}

function card(heading, ...content) {
	return h('section', {class: 'card', 'aria-label': heading}, h('h2', {}, heading), ...content);
}

function details(camera, site) {
	const rows = [
		['Name', camera.name || '—'], ['Serial number', camera.serialNumber], ['Camera id', camera.id],
		['State', camera.state], ['Site', site ? site.name : camera.siteId || '—'],
		['Direction 1', camera.direction1Alias || '—'], ['Direction 2', camera.direction2Alias || '—'],
		['Organisation id', camera.organisationId || '—'], ['Position id', camera.cameraPositionId || '—'],
		['Claimed', timeElement(camera.claimedAt)], ['Online', onlineText(camera)],
		['Last heartbeat', timeElement(camera.lastSeenAt)], ['Last video', timeElement(camera.lastVideoAt)],
		['Encoded frames', percent(camera.encodedFramesProportion)], ['Network transmit rate', rate(camera.networkTransmitRate)],
		['Video backlog', seconds(camera.videoBacklog)], ['Video upload latency', seconds(camera.videoUploadLatency)],
	];
	return card('Details', h('dl', {class: 'details'}, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
}

function liveFrame(camera) {
	const picture = h('div', {class: 'frame'});
	const caption = h('p', {class: 'muted', 'aria-live': 'polite'});
	const button = h('button', {type: 'button', class: 'primary', onclick: async () => {
		button.disabled = true;
		caption.textContent = 'Asking the camera for a frame…';
		try {
			const frame = await api.post('/frame-requests', {cameraId: camera.id});
			const raw = atob(frame.image);
			const buffer = new Uint8Array(raw.length);
			for (let i = 0; i < raw.length; i++) buffer[i] = raw.charCodeAt(i);
			const url = URL.createObjectURL(new Blob([buffer], {type: 'image/jpeg'}));
			clear(picture).append(h('img', {src: url, alt: `Live frame of ${camera.name || camera.serialNumber}`, class: 'live-frame'}));
			clear(caption).append('Taken ', timeElement(frame.timestamp), ` · ${absoluteTime(frame.timestamp)}`);
		} catch (failure) {
			caption.textContent = failure.message;
		} finally {
			button.disabled = false;
		}
	}}, 'Get live frame');
	return card('Live frame', picture, caption, button);
}

function uploads(camera) {
	const body = h('p', {class: 'muted'}, 'Loading…');
	api.get(`/cameras/${camera.id}/video-upload-metrics`).then((metrics) => {
		clear(body).append(h('span', {class: 'big-number'}, bytes(metrics.uploadSize)), ' uploaded in ',
		                   h('strong', {}, seconds(metrics.uploadTime)), ' of upload time');
		body.className = '';
	}).catch((failure) => (body.textContent = failure.message));
	return card('Video uploads, last 24 h', body);
}

function openingHours(camera, site) {
	const body = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
	if (!site) return card('Opening hours today', h('p', {class: 'muted'}, 'No site.'));
	api.get(`/cameras/${camera.id}/opening-hours`).then((instants) => {
		clear(body);
		if (instants.length === 0) {
			body.append(h('p', {}, 'Closed today.'));
			return;
		}
		const list = h('ul', {class: 'intervals'});
		for (let i = 0; i + 1 < instants.length; i += 2) {
			const [open, close] = [instants[i], instants[i + 1]];
			list.append(h('li', {title: `${open} – ${close} (UTC)`},
			              `${clockIn(open, site.timeZone)} – ${clockIn(close, site.timeZone)}`));
		}
		body.append(list, h('p', {class: 'muted'}, `Local time, ${site.timeZone}. Hover for UTC.`));
	}).catch((failure) => (clear(body).textContent = failure.message));
	return card('Opening hours today', body);
}

function positions(camera) {
	const body = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
	api.get(`/cameras/${camera.id}/positions`).then(async (list) => {
		const names = new Map();
		for (const position of list) {
			if (!names.has(position.siteId))
				names.set(position.siteId, (await api.get(`/sites/${position.siteId}`).catch(() => ({}))).name || position.siteId);
		}
		clear(body).append(h('table', {class: 'compact', 'aria-label': 'Position history'},
		                     h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Site'), h('th', {scope: 'col'}, 'From'),
		                                      h('th', {scope: 'col'}, 'Until'))),
		                     h('tbody', {}, list.map((p) => h('tr', {}, h('td', {}, names.get(p.siteId)), h('td', {}, timeElement(p.startedAt)),
		                                                      h('td', {}, p.endedAt ? timeElement(p.endedAt) : 'now'))))));
	}).catch((failure) => (clear(body).textContent = failure.status === 404 ? 'No position history.' : failure.message));
	return card('Position history', body);
}

function actions(who, camera, redraw) {
	const bar = h('div', {class: 'actions', role: 'group', 'aria-label': 'Camera actions'});
	const live = camera.state === 'running' || camera.state === 'paused';
	const name = camera.name || camera.serialNumber;
	const done = async (message) => {
		toast(message);
		await redraw();
	};
	bar.append(h('button', {type: 'button', disabled: !live, onclick: () => {
		const nameInput = h('input', {type: 'text', value: camera.name || '', maxlength: 200});
		const alias1 = h('input', {type: 'text', value: camera.direction1Alias || '', maxlength: 200});
		const alias2 = h('input', {type: 'text', value: camera.direction2Alias || '', maxlength: 200});
		const orNull = (input) => (input.value.trim() === '' ? null : input.value.trim());
		modal(`Rename ${name}`, [field('Name', nameInput), field('Direction 1 alias', alias1), field('Direction 2 alias', alias2)],
		       'Save', async () => {
			       await api.patch(`/cameras/${camera.id}`, {name: orNull(nameInput), direction1Alias: orNull(alias1),
			                                                 direction2Alias: orNull(alias2)});
			       await done('Camera renamed');
		       });
	}}, 'Rename'));
	if (camera.state === 'paused')
		bar.append(h('button', {type: 'button', onclick: () => setState(camera, 'running', done)}, 'Resume'));
	else
		bar.append(h('button', {type: 'button', disabled: camera.state !== 'running', onclick: () => setState(camera, 'paused', done)},
		             'Pause'));
	bar.append(h('button', {type: 'button', disabled: !live, onclick: async () => {
		const sites = (await api.get(`/sites${who.role === 'operator' ? api.query({organisationId: camera.organisationId}) : ''}`))
		                  .filter((site) => site.organisationId === camera.organisationId);
		const select = h('select', {}, sites.map((site) => h('option', {value: site.id, selected: site.id === camera.siteId}, site.name)));
		modal(`Move ${name}`, [field('New site', select)], 'Move', async () => {
			await api.post(`/cameras/${camera.id}/move`, {siteId: select.value});
			await done('Camera moved');
		});
	}}, 'Move'));
	bar.append(h('button', {type: 'button', class: 'danger', disabled: !live, onclick: () => {
		modal(`Decommission ${name}?`,
		       [h('p', {}, `Decommission camera “${name}” (${camera.serialNumber})? It stops counting and leaves the fleet until it is claimed again.`)],
		       'Decommission', async () => {
			       await api.remove(`/cameras/${camera.id}`);
			       await done('Camera decommissioned');
		       }, true);
	}}, 'Decommission'));
	return bar;
}

async function setState(camera, state, done) {
	try {
		await api.put(`/cameras/${camera.id}/state/${state}`);
		await done(state === 'paused' ? 'Camera paused' : 'Camera resumed');
	} catch (failure) {
		toast(failure.message, 'error');
	}
}
