// Administration (operators and admins): users (create, role, a viewer's granted sites), API
// clients (create, the secret shown once), and for the operator organisations and camera
// registration (one camera, or a CSV through the batch endpoint).
import * as api from './api.js';
import {clear, field, h, toast} from './dom.js';
import {timeElement} from './format.js';
import {secretBox} from './secret.js';
import {modal} from './modal.js';

export async function showAdmin(main, who) {
	const operator = who.role === 'operator';
	const [organisations, sites] = await Promise.all([operator ? api.get('/organisations') : [], api.get('/sites')]);
	const context = {who, operator, organisations, sites, organisationName: new Map(organisations.map((o) => [o.id, o.name]))};
	main.append(h('div', {class: 'page-head'}, h('h1', {}, 'Administration')));
	const users = h('section', {class: 'card', 'aria-label': 'Users'});
	const clients = h('section', {class: 'card', 'aria-label': 'API clients'});
	main.append(h('div', {class: 'stack'}, users, clients));
	await Promise.all([drawUsers(users, context), drawClients(clients, context)]);
	if (operator) {
		const orgs = h('section', {class: 'card', 'aria-label': 'Organisations'});
		const registration = h('section', {class: 'card', 'aria-label': 'Camera registration'});
		main.querySelector('.stack').append(orgs, registration);
		drawOrganisations(orgs, context);
		drawRegistration(registration);
	}
}

function organisationSelect(context) {
	return h('select', {required: true}, context.organisations.map((o) => h('option', {value: o.id}, o.name)));
}

async function drawUsers(card, context) {
	const users = await api.get('/users');
	const error = h('p', {class: 'form-error', role: 'alert'});
	const email = h('input', {type: 'email', required: true, autocomplete: 'off'});
	const password = h('input', {type: 'password', required: true, minlength: 8, autocomplete: 'new-password'});
	const role = h('select', {}, h('option', {value: 'viewer'}, 'viewer'), h('option', {value: 'admin'}, 'admin'),
	               context.operator ? h('option', {value: 'operator'}, 'operator') : null);
	const organisation = context.operator ? organisationSelect(context) : null;
	const form = h('form', {class: 'inline-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			const user = await api.post('/users', {email: email.value.trim(), password: password.value, role: role.value,
			                                       organisationId: organisation && role.value !== 'operator' ? organisation.value : undefined});
			toast(`User ${user.email} added`);
			clear(card);
			await drawUsers(card, context);
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('h3', {}, 'Add a user'), h('div', {class: 'row'}, field('Email', email), field('Password', password, '8 to 200 characters'),
	                                 field('Role', role), organisation ? field('Organisation', organisation) : null,
	                                 h('button', {type: 'submit', class: 'primary'}, 'Add user')), error);
	const rows = users.map((user) => h('tr', {}, h('td', {}, user.email), h('td', {}, h('span', {class: 'badge'}, user.role)),
	    context.operator ? h('td', {}, context.organisationName.get(user.organisationId) || '—') : null,
	    h('td', {}, timeElement(user.createdAt)),
	    h('td', {class: 'row-actions'},
	      user.id === context.who.subject ? null : h('button', {type: 'button', class: 'small', 'aria-label': `Change the role of ${user.email}`,
	                                                                  onclick: () => changeRole(user, context, card)}, 'Role'),
	      user.role === 'viewer' ? h('button', {type: 'button', class: 'small', 'aria-label': `Granted sites of ${user.email}`,
	                                            onclick: () => grantSites(user, context)}, 'Sites') : null)));
	card.append(h('h2', {}, 'Users'), h('div', {class: 'table-wrap flat'}, h('table', {'aria-label': 'Users'},
	    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Email'), h('th', {scope: 'col'}, 'Role'),
	                     context.operator ? h('th', {scope: 'col'}, 'Organisation') : null, h('th', {scope: 'col'}, 'Created'),
	                     h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')))),
	    h('tbody', {}, rows))), form);
}

function changeRole(user, context, card) {
	const role = h('select', {}, ['viewer', 'admin'].map((r) => h('option', {value: r, selected: r === user.role}, r)));
	modal(`Change the role of ${user.email}`, [field('Role', role), h('p', {class: 'muted'}, 'The user signs in again with the new role.')],
	      'Save', async () => {
		      await api.patch(`/users/${user.id}`, {role: role.value});
		      toast(`${user.email} is now ${role.value}`);
		      clear(card);
		      await drawUsers(card, context);
	      });
}

async function grantSites(user, context) {
	const granted = new Set((await api.get(`/users/${user.id}/sites`)).siteIds);
	const own = context.sites.filter((site) => site.organisationId === user.organisationId);
	const boxes = own.map((site) => {
		const box = h('input', {type: 'checkbox', value: site.id, checked: granted.has(site.id), id: `grant-${site.id}`});
		return {box, row: h('div', {class: 'check'}, box, h('label', {for: `grant-${site.id}`}, site.name))};
	});
	modal(`Granted sites of ${user.email}`, [own.length ? h('fieldset', {}, h('legend', {}, 'Sites this viewer may see'), boxes.map((b) => b.row))
	                                                    : h('p', {}, 'The organisation has no sites yet.')], 'Save', async () => {
		await api.put(`/users/${user.id}/sites`, {siteIds: boxes.filter((b) => b.box.checked).map((b) => b.box.value)});
		toast('Granted sites saved');
	});
}

async function drawClients(card, context) {
	const clients = await api.get('/clients');
	const error = h('p', {class: 'form-error', role: 'alert'});
	const created = h('div');
	const name = h('input', {type: 'text', required: true, maxlength: 200});
	const role = h('select', {}, h('option', {value: 'viewer'}, 'viewer'), h('option', {value: 'admin'}, 'admin'),
	               context.operator ? h('option', {value: 'operator'}, 'operator') : null);
	const organisation = context.operator ? organisationSelect(context) : null;
	const body = h('tbody');
	const addRow = (client) => body.append(h('tr', {}, h('td', {}, client.name), h('td', {class: 'mono'}, client.clientId),
	    h('td', {}, h('span', {class: 'badge'}, client.role)),
	    context.operator ? h('td', {}, context.organisationName.get(client.organisationId) || '—') : null, h('td', {}, timeElement(client.createdAt))));
	clients.forEach(addRow);
	const form = h('form', {class: 'inline-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			const client = await api.post('/clients', {name: name.value.trim(), role: role.value,
			                                           organisationId: organisation && role.value !== 'operator' ? organisation.value : undefined});
			addRow(client);
			clear(created).append(secretBox(`API client ${client.name} created`, [['Client id', client.clientId]], client.clientSecret));
			name.value = '';
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('h3', {}, 'Add an API client'), h('div', {class: 'row'}, field('Client name', name), field('Role', role),
	                                         organisation ? field('Organisation', organisation) : null,
	                                         h('button', {type: 'submit', class: 'primary'}, 'Add API client')), error);
	card.append(h('h2', {}, 'API clients'), h('div', {class: 'table-wrap flat'}, h('table', {'aria-label': 'API clients'},
	    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Client id'), h('th', {scope: 'col'}, 'Role'),
	                     context.operator ? h('th', {scope: 'col'}, 'Organisation') : null, h('th', {scope: 'col'}, 'Created'))), body)),
	            created, form);
}

function drawOrganisations(card, context) {
	const name = h('input', {type: 'text', required: true, maxlength: 200});
	const error = h('p', {class: 'form-error', role: 'alert'});
	const list = h('ul', {class: 'plain-list'}, context.organisations.map((o) => h('li', {}, o.name, ' ', h('span', {class: 'muted'}, o.id))));
	card.append(h('h2', {}, 'Organisations'), list, h('form', {class: 'inline-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			const organisation = await api.post('/organisations', {name: name.value.trim()});
			context.organisations.push(organisation);
			context.organisationName.set(organisation.id, organisation.name);
			list.append(h('li', {}, organisation.name, ' ', h('span', {class: 'muted'}, organisation.id)));
			toast(`Organisation ${organisation.name} added`);
			name.value = '';
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('div', {class: 'row'}, field('Organisation name', name), h('button', {type: 'submit', class: 'primary'}, 'Add organisation')), error));
}

function drawRegistration(card) {
	const serial = h('input', {type: 'text', required: true, maxlength: 128});
	const cameraId = h('input', {type: 'text', placeholder: 'generated when empty'});
	const result = h('p', {'aria-live': 'polite'});
	const file = h('input', {type: 'file', accept: '.csv,text/csv'});
	const batchResult = h('p', {'aria-live': 'polite'});
	card.append(h('h2', {}, 'Camera registration'), h('form', {class: 'inline-form', onsubmit: async (event) => {
		event.preventDefault();
		result.textContent = '';
		try {
			const id = cameraId.value.trim() || crypto.randomUUID();
			const accepted = await api.post('/register-camera-requests', {cameraId: id, serialNumber: serial.value.trim()});
			result.textContent = `Registering ${serial.value.trim()} as ${id}…`;
			result.textContent = `${await follow(`/register-camera-requests/${accepted.id}`)} (camera ${id})`;
		} catch (failure) {
			result.textContent = failure.message;
		}
	}}, h('h3', {}, 'One camera'), h('div', {class: 'row'}, field('Serial number', serial), field('Camera id', cameraId),
	                                 h('button', {type: 'submit', class: 'primary'}, 'Register camera')), result),
	            h('form', {class: 'inline-form', onsubmit: async (event) => {
		            event.preventDefault();
		            batchResult.textContent = '';
		            try {
			            const text = await file.files[0].text();
			            const cameras = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !/^camera_?id/i.test(line))
			                                .map((line) => {
				                                const [id, serialNumber] = line.split(',').map((cell) => cell.trim());
				                                return {cameraId: id, serialNumber};
			                                });
			            const accepted = await api.post('/register-camera-batches', {cameras});
			            batchResult.textContent = `${accepted.count} cameras submitted…`;
			            batchResult.textContent = await follow(`/register-camera-batches/${accepted.id}`);
		            } catch (failure) {
			            batchResult.textContent = failure.message;
		            }
	            }}, h('h3', {}, 'A CSV file'), h('p', {class: 'muted'}, 'One camera a line: cameraId,serialNumber (up to 1,000).'),
	               h('div', {class: 'row'}, field('CSV file', file), h('button', {type: 'submit', class: 'primary'}, 'Register cameras')), batchResult));
}

// Polls an asynchronous request (≤ 20 times, 1 s apart) and tells how it ended.
async function follow(path) {
	for (let i = 0; i < 20; i++) {
		const request = await api.get(path);
		if (request.status === 'succeeded' || request.status === 'failed') {
			const counts = request.count !== undefined ? ` — ${request.succeeded} succeeded, ${request.failed} failed` : '';
			return `${request.status}${request.msg ? `: ${request.msg}` : request.message ? `: ${request.message}` : ''}${counts}`;
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	return 'still in progress: look again later';
}
