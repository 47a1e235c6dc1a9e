// The Sites pages: the list (with a form to add one, for operators and admins) and one site with
// its cameras, the weekly opening-hours editor, the exceptions by date and a preview of a date.
// The API's validation messages are shown beside the interval they name.
import * as api from './api.js';
import {append, clear, field, h, toast} from './dom.js';
import {onlineText, timeElement} from './format.js';
import {DAYS, dayLabel, formatIntervals, namedInterval, namedWeeklyIntervals, parseIntervals, previewDate} from './hours.js';

export async function showSites(main, who) {
	const sites = await api.get('/sites');
	const cameras = await api.get(`/cameras${api.query({includeMetrics: 'false'})}`);
	const counts = new Map();
	for (const camera of cameras) counts.set(camera.siteId, (counts.get(camera.siteId) || 0) + 1);
	const organisations = who.role === 'operator' ? await api.get('/organisations') : [];
	const organisationName = new Map(organisations.map((o) => [o.id, o.name]));
	main.append(h('div', {class: 'page-head'}, h('h1', {}, 'Sites')));
	if (api.canWrite(who)) main.append(addSiteForm(who, organisations));
	const body = h('tbody', {}, sites.sort((a, b) => a.name.localeCompare(b.name)).map((site) => h('tr', {},
	    h('td', {}, h('a', {href: `/ui/sites/${site.id}`, 'data-link': true}, site.name)),
	    who.role === 'operator' ? h('td', {}, organisationName.get(site.organisationId) || site.organisationId) : null,
	    h('td', {}, site.timeZone), h('td', {class: 'numeric'}, counts.get(site.id) || 0), h('td', {}, timeElement(site.createdAt)))));
	if (sites.length === 0) body.append(h('tr', {}, h('td', {colspan: 5, class: 'empty'}, 'No sites yet.')));
	main.append(h('div', {class: 'table-wrap'}, h('table', {'aria-label': 'Sites'},
	    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), who.role === 'operator' ? h('th', {scope: 'col'}, 'Organisation') : null,
	                     h('th', {scope: 'col'}, 'Time zone'), h('th', {scope: 'col', class: 'numeric'}, 'Cameras'),
	                     h('th', {scope: 'col'}, 'Created'))), body)));
}

function addSiteForm(who, organisations) {
	const name = h('input', {type: 'text', required: true, maxlength: 200});
	const zone = h('input', {type: 'text', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', required: true});
	const organisation = who.role === 'operator'
	    ? h('select', {required: true}, organisations.map((o) => h('option', {value: o.id}, o.name))) : null;
	const error = h('p', {class: 'form-error', role: 'alert'});
	return h('form', {class: 'card inline-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			const site = await api.post('/sites', {name: name.value.trim(), timeZone: zone.value.trim(),
			                                       organisationId: organisation ? organisation.value : undefined});
			toast(`Site ${site.name} added`);
			history.pushState(null, '', `/ui/sites/${site.id}`);
			dispatchEvent(new PopStateEvent('popstate'));
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('h2', {}, 'Add a site'), h('div', {class: 'row'}, organisation ? field('Organisation', organisation) : null,
	                                  field('Site name', name), field('Time zone', zone, 'An IANA name, e.g. Europe/Berlin'),
	                                  h('button', {type: 'submit', class: 'primary'}, 'Add site')), error);
}

export async function showSite(main, who, siteId) {
	const site = await api.get(`/sites/${siteId}`);
	const [cameras, hours, exceptions] = await Promise.all([
		api.get(`/cameras${api.query({siteId, includeMetrics: 'false'})}`), api.get(`/sites/${siteId}/opening-hours`),
		api.get(`/sites/${siteId}/opening-hours/exceptions`)]);
	const state = {weekly: hours.weekly, exceptions};
	const writer = api.canWrite(who);
	main.append(h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/ui/sites', 'data-link': true}, 'Sites'), ' / ', site.name),
	            h('div', {class: 'page-head'}, h('h1', {}, site.name), h('span', {class: 'badge'}, site.timeZone)));
	const preview = previewCard(site, state);
	main.append(h('div', {class: 'grid wide'}, weeklyCard(site, state, writer, preview.refresh), exceptionsCard(site, state, writer, preview.refresh),
	              preview.card, camerasCard(cameras)));
}

function camerasCard(cameras) {
	return h('section', {class: 'card', 'aria-label': 'Cameras at this site'}, h('h2', {}, 'Cameras'),
	         cameras.length === 0 ? h('p', {class: 'muted'}, 'No cameras at this site.')
	                              : h('ul', {class: 'plain-list'}, cameras.map((camera) => h('li', {},
	                                    h('a', {href: `/ui/cameras/${camera.id}`, 'data-link': true}, camera.name || camera.serialNumber),
	                                    ' ', h('span', {class: `badge state-${camera.state}`}, camera.state), ' ',
	                                    h('span', {class: `status ${camera.isOnline ? 'is-online' : 'is-offline'}`}, onlineText(camera))))));
}

// The weekly editor: per day its intervals as "opens"/"closes" text boxes (HH:MM, 24:00 allowed
// as a close), with Add interval / Remove; Save opening hours PUTs the whole week.
function weeklyCard(site, state, writer, changed) {
	const card = h('section', {class: 'card', 'aria-label': 'Weekly opening hours'});
	const formError = h('p', {class: 'form-error', role: 'alert'});
	const draft = Object.fromEntries(DAYS.map((day) => [day, state.weekly[day].map((i) => ({...i}))]));
	const dayErrors = {};      // day → the API's message shown beside it
	let invalid = new Set();   // "monday:1": the intervals that message names
	const draw = () => {
		clear(card).append(h('h2', {}, 'Weekly opening hours'), h('p', {class: 'muted'}, `Local time (${site.timeZone}). A close before the open runs past midnight.`));
		const table = h('div', {class: 'week'});
		for (const day of DAYS) {
			const error = h('p', {class: 'field-error', id: `error-${day}`, role: 'alert'}, dayErrors[day] || '');
			const intervals = h('div', {class: 'intervals-edit'});
			draft[day].forEach((interval, index) => {
				if (!writer) {
					intervals.append(h('span', {class: 'interval'}, `${interval.open}–${interval.close}`));
					return;
				}
				const name = `${dayLabel(day)} interval ${index + 1}`;
				const open = h('input', {type: 'text', class: 'time', value: interval.open, 'aria-label': `${name} opens`,
				                         'aria-describedby': `error-${day}`, inputmode: 'numeric', maxlength: 5, size: 5});
				const close = h('input', {type: 'text', class: 'time', value: interval.close, 'aria-label': `${name} closes`,
				                          'aria-describedby': `error-${day}`, inputmode: 'numeric', maxlength: 5, size: 5});
				open.addEventListener('input', () => (interval.open = open.value.trim()));
				close.addEventListener('input', () => (interval.close = close.value.trim()));
				if (invalid.has(`${day}:${index}`) || invalid.has(`${day}:*`)) {
					open.setAttribute('aria-invalid', 'true');
					close.setAttribute('aria-invalid', 'true');
				}
				intervals.append(h('span', {class: 'interval'}, open, '–', close,
				                   h('button', {type: 'button', class: 'icon', 'aria-label': `Remove ${name}`, title: 'Remove', onclick: () => {
					                   draft[day].splice(index, 1);
					                   draw();
				                   }}, '×')));
			});
			if (draft[day].length === 0) intervals.append(h('span', {class: 'muted'}, 'Closed'));
			if (writer && draft[day].length < 8)
				intervals.append(h('button', {type: 'button', class: 'small', 'aria-label': `Add interval on ${dayLabel(day)}`, onclick: () => {
					const last = draft[day][draft[day].length - 1];
					draft[day].push(last ? {open: last.close === '24:00' ? '23:00' : last.close, close: '24:00'} : {open: '09:00', close: '17:00'});
					draw();
				}}, '+ Add interval'));
			table.append(h('div', {class: 'day-row'}, h('span', {class: 'day-name'}, dayLabel(day)), intervals, error));
		}
		card.append(table, formError);
		if (writer)
			card.append(h('div', {class: 'card-buttons'}, h('button', {type: 'button', class: 'primary', onclick: save}, 'Save opening hours')));
	};
	const save = async () => {
		formError.textContent = '';
		for (const key of Object.keys(dayErrors)) delete dayErrors[key];
		invalid = new Set();
		try {
			const saved = await api.put(`/sites/${site.id}/opening-hours`, {weekly: draft});
			state.weekly = saved.weekly;
			for (const day of DAYS) draft[day] = saved.weekly[day].map((i) => ({...i}));
			toast('Opening hours saved');
			changed();
			draw();
		} catch (failure) {
			const named = namedInterval(failure.message);
			if (named && named.day && DAYS.includes(named.day)) {
				dayErrors[named.day] = failure.message;
				invalid = new Set(namedWeeklyIntervals(failure.message));
				if (named.index === null) invalid.add(`${named.day}:*`);
				draw();
			} else {
				draw();
				formError.textContent = failure.message;
			}
		}
	};
	draw();
	return card;
}

function exceptionsCard(site, state, writer, changed) {
	const card = h('section', {class: 'card', 'aria-label': 'Exceptions by date'});
	const draw = () => {
		const rows = state.exceptions.map((exception) => h('tr', {}, h('td', {}, exception.date), h('td', {}, formatIntervals(exception.intervals)),
		    writer ? h('td', {}, h('button', {type: 'button', class: 'small danger', 'aria-label': `Delete the exception of ${exception.date}`,
		                                      onclick: async () => {
			                                      try {
				                                      await api.remove(`/sites/${site.id}/opening-hours/exceptions/${exception.date}`);
				                                      state.exceptions = state.exceptions.filter((e) => e.date !== exception.date);
				                                      changed();
				                                      draw();
			                                      } catch (failure) {
				                                      toast(failure.message, 'error');
			                                      }
		                                      }}, 'Delete')) : null));
		clear(card).append(h('h2', {}, 'Exceptions by date'),
		                   state.exceptions.length ? h('table', {class: 'compact', 'aria-label': 'Exceptions'}, h('thead', {}, h('tr', {},
		                       h('th', {scope: 'col'}, 'Date'), h('th', {scope: 'col'}, 'Hours'), writer ? h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')) : null)),
		                                                     h('tbody', {}, rows))
		                                           : h('p', {class: 'muted'}, 'No exceptions: every date follows the weekly hours.'));
		if (writer) card.append(exceptionForm(site, state, () => {
			changed();
			draw();
		}));
	};
	draw();
	return card;
}

function exceptionForm(site, state, saved) {
	const date = h('input', {type: 'date', required: true});
	const intervals = h('input', {type: 'text', placeholder: '10:00-14:00, 15:00-18:00 (empty: closed)'});
	const intervalsField = field('Hours that day', intervals, 'Comma-separated intervals; leave empty to close the date.');
	const dateField = field('Date', date);
	const error = h('p', {class: 'form-error', role: 'alert'});
	const showError = (message) => {
		const target = namedInterval(message) ? intervalsField : message.includes('date') ? dateField : null;
		if (target) {
			target.querySelector('.field-error').textContent = message;
			target.querySelector('input').setAttribute('aria-invalid', 'true');
		} else {
			error.textContent = message;
		}
	};
	return h('form', {class: 'exception-form', onsubmit: async (event) => {
		event.preventDefault();
		for (const box of [dateField, intervalsField]) {
			box.querySelector('.field-error').textContent = '';
			box.querySelector('input').removeAttribute('aria-invalid');
		}
		error.textContent = '';
		let list;
		try {
			list = parseIntervals(intervals.value);
		} catch (failure) {
			showError(`intervals: ${failure.message}`);
			return;
		}
		try {
			const exception = await api.put(`/sites/${site.id}/opening-hours/exceptions/${date.value}`, {intervals: list});
			state.exceptions = state.exceptions.filter((e) => e.date !== exception.date).concat([exception])
			                       .sort((a, b) => a.date.localeCompare(b.date));
			toast(`Exception of ${exception.date} saved`);
			saved();
		} catch (failure) {
			showError(failure.message);
		}
	}}, h('h3', {}, 'Add or change an exception'), h('div', {class: 'row'}, dateField, intervalsField), error,
	         h('div', {class: 'card-buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Save exception')));
}

function previewCard(site, state) {
	const today = new Date().toISOString().slice(0, 10);
	const date = h('input', {type: 'date', value: today});
	const result = h('div', {'aria-live': 'polite'});
	const refresh = () => {
		clear(result);
		if (!date.value) return;
		const intervals = previewDate(date.value, state.weekly, state.exceptions, site.timeZone);
		if (intervals.length === 0) {
			result.append(h('p', {}, 'Closed.'));
			return;
		}
		append(result, [h('table', {class: 'compact', 'aria-label': 'Preview'}, h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, `Local (${site.timeZone})`),
		                                                                                       h('th', {scope: 'col'}, 'UTC'))),
		                h('tbody', {}, intervals.map((i) => h('tr', {}, h('td', {}, `${i.open}–${i.close}`),
		                                                    h('td', {class: 'mono'}, `${i.openUtc} – ${i.closeUtc}`))))),
		                intervals[0].fromException ? h('p', {class: 'muted'}, 'From the exception of that date.') : null]);
	};
	date.addEventListener('change', refresh);
	refresh();
	return {card: h('section', {class: 'card', 'aria-label': 'Preview a date'}, h('h2', {}, 'Preview a date'), field('Preview date', date), result),
	        refresh};
}
