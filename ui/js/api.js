// The dashboard's only way to the server: the public API with the signed-in user's token. The
// token lives in sessionStorage (gone with the tab, never in a URL or localStorage). A 401 asks
// the user to sign in again over the current page, then repeats the request.
const TOKEN_KEY = 'camfleet.token';

export class ApiError extends Error {
	constructor(status, message, body) {
		super(message);
		this.status = status;
		this.body = body;
	}
}

let reauthenticate = null; // set by the app: () => Promise resolved once signed in again

export function onSignInNeeded(callback) {
	reauthenticate = callback;
}

export function token() {
	return sessionStorage.getItem(TOKEN_KEY);
}

// The signed-in identity from the token's claims: {subject, role, organisationId, expiresAt}.
export function session() {
	const value = token();
	if (!value) return null;
	try {
		const claims = JSON.parse(atob(value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
		return {subject: claims.sub, role: claims.role, organisationId: claims.org || null, expiresAt: claims.exp * 1000};
	} catch {
		return null;
	}
}

export function signOut() {
	sessionStorage.removeItem(TOKEN_KEY);
}

// The password grant; throws ApiError with the server's words on failure.
export async function signIn(email, password) {
	const body = new URLSearchParams({grant_type: 'password', username: email, password});
	const response = await fetch('/oauth/token', {method: 'POST', body});
	const answer = await response.json().catch(() => ({}));
	if (!response.ok) {
		const message = answer.error === 'invalid_grant' ? 'Wrong email or password.' : answer.message || answer.error_description;
		throw new ApiError(response.status, message || `Sign in failed (${response.status})`, answer);
	}
	sessionStorage.setItem(TOKEN_KEY, answer.access_token);
	return session();
}

// One API call: path below the server root, JSON in and out. Resolves {data, response}.
export async function call(method, path, body, {retried = false} = {}) {
	const headers = {Accept: 'application/json'};
	const value = token();
	if (value) headers.Authorization = `Bearer ${value}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
	if (response.status === 401 && !retried && reauthenticate) {
		signOut();
		await reauthenticate();
		return call(method, path, body, {retried: true});
	}
	const text = await response.text();
	let data = null;
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = text;
		}
	}
	if (!response.ok) {
		const message = (data && data.message) || `${method} ${path} failed with status ${response.status}`;
		throw new ApiError(response.status, message, data);
	}
	return {data, response};
}

export const get = async (path) => (await call('GET', path)).data;
export const post = async (path, body) => (await call('POST', path, body)).data;
export const put = async (path, body) => (await call('PUT', path, body)).data;
export const patch = async (path, body) => (await call('PATCH', path, body)).data;
export const remove = async (path) => (await call('DELETE', path)).data;

// The URL of the next page from a Link header (rel="next"), or null.
export function nextLink(response) {
	const link = response.headers.get('Link');
	const match = link && link.match(/<([^>]+)>;\s*rel="next"/);
	return match ? match[1] : null;
}

export function query(parameters) {
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(parameters)) {
		if (value === undefined || value === null || value === '') continue;
		for (const one of Array.isArray(value) ? value : [value]) search.append(name, one);
	}
	const text = search.toString();
	return text ? `?${text}` : '';
}

export const canWrite = (who) => who && (who.role === 'operator' || who.role === 'admin');

// Follows GET /events/stream (Server-Sent Events, read with fetch so that the token goes in the
// Authorization header, never in a URL): calls onEvent(event object) for each event until
// signal aborts. Resolves when the stream ends or fails; the caller decides whether to reconnect.
export async function followEvents(onEvent, signal) {
	const value = token();
	const response = await fetch('/events/stream', {headers: {Accept: 'text/event-stream', Authorization: `Bearer ${value}`},
	                                                  signal});
	if (!response.ok || !response.body) return;
	const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
	let pending = '';
	for (;;) {
		const {value: chunk, done} = await reader.read();
		if (done) return;
		pending += chunk;
		let end;
		while ((end = pending.indexOf('\n\n')) >= 0) { // one message per blank line
			const message = pending.slice(0, end);
			pending = pending.slice(end + 2);
			const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
			if (!data) continue; // a comment (keep-alive)
			try {
				onEvent(JSON.parse(data));
			} catch {
				// not JSON: not an event of ours
			}
		}
	}
}
