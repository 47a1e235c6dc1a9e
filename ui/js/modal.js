// A modal dialog with a form: submit runs action() and closes on success, or shows the API's
// message inside the dialog; Cancel and Escape close it without doing anything.
import {h} from './dom.js';

export function modal(heading, controls, submitLabel, action, danger = false) {
	const error = h('p', {class: 'form-error', role: 'alert'});
	const box = h('dialog', {class: 'dialog', 'aria-label': heading});
	const close = () => {
		box.close();
		box.remove();
	};
	const form = h('form', {onsubmit: async (event) => {
		event.preventDefault();
		error.textContent = '';
		try {
			await action();
			close();
		} catch (failure) {
			error.textContent = failure.message;
		}
	}}, h('h2', {}, heading), controls, error,
	    h('div', {class: 'dialog-buttons'}, h('button', {type: 'button', onclick: close}, 'Cancel'),
	      h('button', {type: 'submit', class: danger ? 'danger' : 'primary'}, submitLabel)));
	box.append(form);
	box.addEventListener('close', () => box.remove());
	document.body.append(box);
	box.showModal();
	return box;
}
