// The dashboard's entry: sign in, the top bar, and the routes of /ui/... to the views.
import * as api from './api.js';
import {clear, field, h} from './dom.js';
import {showFleet} from './fleet.js';
import {showCamera} from './camera.js';
import {showSite, showSites} from './sites.js';
import {showAdmin} from './admin.js';
import {showEvents, showWebhooks} from './events.js';

const routes = [
	{pattern: /^\/ui\/?$/, title: 'Fleet', view: showFleet, nav: 'Fleet'},
	{pattern: /^\/ui\/cameras\/([0-9a-f-]{36})$/, title: 'Camera', view: showCamera, nav: 'Fleet'},
	{pattern: /^\/ui\/sites$/, title: 'Sites', view: showSites, nav: 'Sites'},
	{pattern: /^\/ui\/sites\/([0-9a-f-]{36})$/, title: 'Site', view: showSite, nav: 'Sites'},
	{pattern: /^\/ui\/events$/, title: 'Events', view: showEvents, nav: 'Events'},
	{pattern: /^\/ui\/webhooks$/, title: 'Webhooks', view: showWebhooks, nav: 'Webhooks', roles: ['operator', 'admin']},
	{pattern: /^\/ui\/admin$/, title: 'Administration', view: showAdmin, nav: 'Administration', roles: ['operator', 'admin']},
];

const navigation = [
	{label: 'Fleet', href: '/ui/'},
	{label: 'Sites', href: '/ui/sites'},
	{label: 'Events', href: '/ui/events'},
	{label: 'Webhooks', href: '/ui/webhooks', roles: ['operator', 'admin']},
	{label: 'Administration', href: '/ui/admin', roles: ['operator', 'admin']},
];

let stopCurrentView = null; // what the shown view returned: stops its refresh

export function navigate(path) {
	if (path !== location.pathname) history.pushState(null, '', path);
	render();
}

function drawTopbar(who) {
	const bar = document.getElementById('topbar');
	bar.hidden = !who;
	if (!who) return;
	const current = routes.find((route) => route.pattern.test(location.pathname));
	const nav = clear(document.getElementById('nav'));
	for (const item of navigation) {
		if (item.roles && !item.roles.includes(who.role)) continue;
		nav.append(h('a', {href: item.href, 'data-link': true, 'aria-current': current && current.nav === item.label ? 'page' : null},
		             item.label));
	}
	clear(document.getElementById('who')).append(
	    h('span', {class: 'role-badge'}, who.role),
	    h('button', {type: 'button', class: 'quiet', onclick: () => {
		    api.signOut();
		    navigate('/ui/');
	    }}, 'Sign out'));
}

function signInForm(onDone, intro) {
	const email = h('input', {type: 'email', name: 'email', autocomplete: 'username', required: true});
	const password = h('input', {type: 'password', name: 'password', autocomplete: 'current-password', required: true});
	const error = h('p', {class: 'form-error', role: 'alert'});
	const button = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
	const form = h('form', {class: 'signin-form', onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		button.disabled = true;
		try {
			await api.signIn(email.value.trim(), password.value);
			onDone();
		} catch (failure) {
			error.textContent = failure.message;
			button.disabled = false;
		}
	}}, intro ? h('p', {class: 'muted'}, intro) : null, field('Email', email), field('Password', password), error, button);
	return {form, focus: () => email.focus()};
}

function showSignIn() {
	const main = clear(document.getElementById('main'));
	drawTopbar(null);
	document.title = 'Sign in · camfleet';
	const {form, focus} = signInForm(() => render());
	main.append(h('section', {class: 'signin'}, h('div', {class: 'signin-card'},
	                                              h('p', {class: 'brand big'}, 'camfleet'),
	                                              h('h1', {}, 'Sign in'), form)));
	focus();
}

// The token expired: a modal sign-in over the page, which stays as it was.
let pendingSignIn = null;
function signInAgain() {
	if (pendingSignIn) return pendingSignIn;
	pendingSignIn = new Promise((resolve) => {
		const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': 'signin-again-title'});
		const {form, focus} = signInForm(() => {
			dialog.close();
			dialog.remove();
			pendingSignIn = null;
			resolve();
		}, 'Your session has ended. Sign in again to carry on where you were.');
		dialog.append(h('h2', {id: 'signin-again-title'}, 'Sign in'), form);
		dialog.addEventListener('cancel', (event) => event.preventDefault());
		document.body.append(dialog);
		dialog.showModal();
		focus();
	});
	return pendingSignIn;
}

async function render() {
	if (stopCurrentView) {
		stopCurrentView();
		stopCurrentView = null;
	}
	const who = api.session();
	if (!who || who.expiresAt < Date.now()) {
		api.signOut();
		showSignIn();
		return;
	}
	drawTopbar(who);
	const main = clear(document.getElementById('main'));
	for (const route of routes) {
		const match = location.pathname.match(route.pattern);
		if (!match || (route.roles && !route.roles.includes(who.role))) continue;
		document.title = `${route.title} · camfleet`;
		try {
			stopCurrentView = (await route.view(main, who, ...match.slice(1))) || null;
		} catch (failure) {
			main.append(h('div', {class: 'panel error', role: 'alert'}, failure.message));
		}
		return;
	}
	document.title = 'Not found · camfleet';
	main.append(h('h1', {}, 'Page not found'), h('p', {}, h('a', {href: '/ui/', 'data-link': true}, 'Back to the fleet')));
}

document.addEventListener('click', (event) => {
	const link = event.target.closest('a[data-link]');
	if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
	event.preventDefault();
	navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', render);
api.onSignInNeeded(signInAgain);
render();
