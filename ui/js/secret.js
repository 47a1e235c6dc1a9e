// A secret the API shows once (an API client's, a webhook's): the value, a copy button, and the
// warning that it will not be shown again.
import {h} from './dom.js';

export function secretBox(title, rows, secret) {
	const status = h('span', {class: 'muted', 'aria-live': 'polite'});
	const value = h('code', {class: 'secret-value'}, secret);
	const copy = h('button', {type: 'button', onclick: async () => {
		try {
			await navigator.clipboard.writeText(secret);
			status.textContent = 'Copied.';
		} catch {
			const range = document.createRange(); // no clipboard access: select it for Ctrl+C
			range.selectNodeContents(value);
			getSelection().removeAllRanges();
			getSelection().addRange(range);
			status.textContent = 'Selected: press Ctrl+C to copy.';
		}
	}}, 'Copy secret');
	return h('div', {class: 'secret-box', role: 'region', 'aria-label': title}, h('h3', {}, title),
	         h('dl', {class: 'details'}, rows.map(([term, text]) => [h('dt', {}, term), h('dd', {class: 'mono'}, text)]),
	           h('dt', {}, 'Secret'), h('dd', {}, value)),
	         h('p', {class: 'warning'}, 'This secret is shown once. Copy it now: it cannot be read again.'),
	         h('div', {class: 'row'}, copy, status));
}
