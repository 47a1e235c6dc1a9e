// The Events page (the audit log, filtered, a page at a time through limit/after; the first page
// refreshed every 10 s) and the Webhooks page (create with the secret shown once, send a test,
// deliveries with retry).
import * as api from './api.js';
import {clear, field, h, toast} from './dom.js';
import {timeElement} from './format.js';
import {secretBox} from './secret.js';

export const EVENT_TYPES = ['camera.registered', 'camera.claimed', 'camera.updated', 'camera.paused', 'camera.resumed',
                            'camera.moved', 'camera.decommissioned', 'camera.offline', 'camera.online', 'site.offline',
                            'site.online', 'webhook.test', 'webhook.disabled'];
const PAGE_SIZE = 50;

export async function showEvents(main, who) {
	const sites = await api.get('/sites');
	const siteName = new Map(sites.map((s) => [s.id, s.name]));
	const type = h('select', {}, h('option', {value: ''}, 'Every type'), EVENT_TYPES.map((t) => h('option', {value: t}, t)));
	const site = h('select', {}, h('option', {value: ''}, 'All sites'), sites.map((s) => h('option', {value: s.id}, s.name)));
	const camera = h('input', {type: 'text', placeholder: 'camera id', size: 36});
	const since = h('input', {type: 'datetime-local'});
	const body = h('tbody');
	const info = h('span', {class: 'muted', 'aria-live': 'polite'});
	const state = {cursors: [null], page: 0, next: null};
	const previous = h('button', {type: 'button', onclick: () => turn(-1)}, 'Previous page');
	const next = h('button', {type: 'button', onclick: () => turn(1)}, 'Next page');
	const load = async () => {
		const since_ = since.value ? new Date(since.value).toISOString().replace('.000', '') : '';
		const {data, response} = await api.call('GET', `/events${api.query({type: type.value, siteId: site.value, cameraId: camera.value.trim(),
		                                                                    since: since_, limit: PAGE_SIZE, after: state.cursors[state.page]})}`);
		const link = api.nextLink(response);
		state.next = link ? new URL(link, location.origin).searchParams.get('after') : null;
		clear(body);
		for (const event of data) body.append(eventRow(event, siteName));
		if (data.length === 0) body.append(h('tr', {}, h('td', {colspan: 5, class: 'empty'}, 'No events match these filters.')));
		previous.disabled = state.page === 0;
		next.disabled = !state.next;
		info.textContent = `Page ${state.page + 1}`;
	};
	const reload = () => {
		state.cursors = [null];
		state.page = 0;
		load().catch((failure) => toast(failure.message, 'error'));
	};
	const turn = (step) => {
		if (step > 0 && state.next) state.cursors[++state.page] = state.next;
		else if (step < 0 && state.page > 0) state.page--;
		load().catch((failure) => toast(failure.message, 'error'));
	};
	for (const control of [type, site, since]) control.addEventListener('change', reload);
	camera.addEventListener('change', reload);
	main.append(h('div', {class: 'page-head'}, h('h1', {}, 'Events')),
	            h('form', {class: 'filters', role: 'search', onsubmit: (event) => event.preventDefault()}, field('Event type', type), field('Site', site),
	              field('Camera', camera), field('Since', since)),
	            h('div', {class: 'table-wrap'}, h('table', {'aria-label': 'Events'}, h('thead', {}, h('tr', {},
	                h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Type'), h('th', {scope: 'col'}, 'Camera'),
	                h('th', {scope: 'col'}, 'Site'), h('th', {scope: 'col'}, 'By'))), body)),
	            h('div', {class: 'pager'}, previous, info, next));
	await load();
	const timer = setInterval(() => state.page === 0 && load().catch(() => {}), 10000);
	return () => clearInterval(timer);
}

function eventRow(event, siteName) {
	const camera = event.data && event.data.camera;
	return h('tr', {}, h('td', {}, timeElement(event.occurredAt)), h('td', {}, h('span', {class: 'badge'}, event.type)),
	         h('td', {}, event.cameraId ? h('a', {href: `/ui/cameras/${event.cameraId}`, 'data-link': true},
	                                         (camera && (camera.name || camera.serialNumber)) || event.cameraId) : '—'),
	         h('td', {}, event.siteId ? siteName.get(event.siteId) || event.siteId : '—'),
	         h('td', {}, event.actor ? `${event.actor.kind}${event.actor.id ? ` ${event.actor.id.slice(0, 8)}` : ''}` : '—'));
}

export async function showWebhooks(main, who) {
	const operator = who.role === 'operator';
	const organisations = operator ? await api.get('/organisations') : [];
	const list = h('div', {class: 'stack'});
	const created = h('div');
	main.append(h('div', {class: 'page-head'}, h('h1', {}, 'Webhooks')), createForm(operator, organisations, created, () => draw()), created, list);
	const draw = async () => {
		const webhooks = await api.get('/webhooks');
		clear(list);
		if (webhooks.length === 0) list.append(h('p', {class: 'muted'}, 'No webhooks yet.'));
		for (const webhook of webhooks) list.append(webhookCard(webhook));
	};
	await draw();
}

function createForm(operator, organisations, created, done) {
	const url = h('input', {type: 'url', required: true, placeholder: 'https://example.com/camfleet'});
	const description = h('input', {type: 'text', maxlength: 500});
	const every = h('input', {type: 'checkbox', id: 'events-all', checked: true});
	const boxes = EVENT_TYPES.filter((t) => t !== 'webhook.test').map((t) => ({type: t, box: h('input', {type: 'checkbox', id: `event-${t}`})}));
	const organisation = operator ? h('select', {}, h('option', {value: ''}, 'Whole fleet'), organisations.map((o) => h('option', {value: o.id}, o.name))) : null;
	const error = h('p', {class: 'form-error', role: 'alert'});
	return h('form', {class: 'card inline-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			const events = every.checked ? ['*'] : boxes.filter((b) => b.box.checked).map((b) => b.type);
			const webhook = await api.post('/webhooks', {url: url.value.trim(), events, description: description.value,
			                                             organisationId: organisation && organisation.value ? organisation.value : undefined});
			clear(created).append(secretBox(`Webhook to ${webhook.url} created`, [['Webhook id', webhook.id]], webhook.secret));
			url.value = '';
			await done();
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('h2', {}, 'Add a webhook'), h('div', {class: 'row'}, field('URL', url, null, 'grow'), field('Description', description),
	                                  organisation ? field('Organisation', organisation) : null),
	   h('fieldset', {class: 'event-types'}, h('legend', {}, 'Events'),
	     h('div', {class: 'check'}, every, h('label', {for: 'events-all'}, 'Every event (also types added later)')),
	     boxes.map((b) => h('div', {class: 'check'}, b.box, h('label', {for: b.box.id}, b.type)))),
	   error, h('div', {class: 'card-buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Add webhook')));
}

function webhookCard(webhook) {
	const deliveries = h('div');
	const label = webhook.description || webhook.url;
	const showDeliveries = async () => {
		const list = await api.get(`/webhooks/${webhook.id}/deliveries${api.query({limit: 20})}`);
		clear(deliveries);
		if (list.length === 0) {
			deliveries.append(h('p', {class: 'muted'}, 'No deliveries yet.'));
			return;
		}
		deliveries.append(h('table', {class: 'compact', 'aria-label': `Deliveries of ${label}`}, h('thead', {}, h('tr', {},
		    h('th', {scope: 'col'}, 'Event'), h('th', {scope: 'col'}, 'Status'), h('th', {scope: 'col', class: 'numeric'}, 'Attempts'),
		    h('th', {scope: 'col'}, 'Last attempt'), h('th', {scope: 'col'}, 'Error'), h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')))),
		  h('tbody', {}, list.map((d) => h('tr', {}, h('td', {}, d.eventType), h('td', {}, h('span', {class: `badge delivery-${d.status}`}, d.status)),
		                                  h('td', {class: 'numeric'}, d.attempts), h('td', {}, timeElement(d.lastAttemptAt)), h('td', {}, d.error || '—'),
		                                  h('td', {}, d.status === 'failed' ? h('button', {type: 'button', class: 'small', 'aria-label': `Retry the ${d.eventType} delivery`,
		                                                                                   onclick: async () => {
			                                                                                   await api.post(`/webhooks/${webhook.id}/deliveries/${d.id}/retry`);
			                                                                                   await showDeliveries();
		                                                                                   }}, 'Retry') : null))))));
	};
	return h('section', {class: 'card', 'aria-label': `Webhook ${label}`},
	         h('div', {class: 'page-head'}, h('h2', {}, label), h('span', {class: `badge ${webhook.enabled ? 'state-running' : 'state-paused'}`},
	                                                            webhook.enabled ? 'enabled' : 'disabled'),
	           webhook.failingSince ? h('span', {class: 'status is-offline'}, 'failing since ', timeElement(webhook.failingSince)) : null),
	         h('dl', {class: 'details'}, h('dt', {}, 'URL'), h('dd', {class: 'mono'}, webhook.url), h('dt', {}, 'Events'),
	           h('dd', {}, webhook.events.join(', ')), h('dt', {}, 'Created'), h('dd', {}, timeElement(webhook.createdAt))),
	         h('div', {class: 'row'}, h('button', {type: 'button', 'aria-label': `Send a test to ${label}`, onclick: async () => {
			         try {
				         await api.post(`/webhooks/${webhook.id}/test`);
				         toast('Test event sent');
				         setTimeout(() => showDeliveries().catch(() => {}), 1500);
			         } catch (failure) {
				         toast(failure.message, 'error');
			         }
		         }}, 'Send test'),
		       h('button', {type: 'button', 'aria-label': `Deliveries of ${label}`, onclick: () => showDeliveries().catch((f) => toast(f.message, 'error'))},
		         'Deliveries')), deliveries);
}

