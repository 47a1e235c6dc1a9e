// Small DOM helpers: h() builds elements (text always as text, never as HTML), clear() empties.
export function h(tag, attributes = {}, ...children) {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes || {})) {
		if (value === undefined || value === null || value === false) continue;
		if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
		else if (name === 'class') element.className = value;
		else if (name === 'dataset') Object.assign(element.dataset, value);
		else if (value === true) element.setAttribute(name, '');
		else element.setAttribute(name, String(value));
	}
	append(element, children);
	return element;
}

export function append(element, children) {
	for (const child of children.flat(Infinity)) {
		if (child === undefined || child === null || child === false) continue;
		element.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return element;
}

export function clear(element) {
	while (element.firstChild) element.firstChild.remove();
	return element;
}

// A labelled form field: <label for=id>text</label> + the control; returns the wrapper.
let fieldCounter = 0;
export function field(labelText, control, hint, className) {
	const id = control.id || `field-${++fieldCounter}`;
	control.id = id;
	const message = h('p', {class: 'field-error', id: `${id}-error`, 'aria-live': 'polite'});
	control.setAttribute('aria-describedby', `${id}-error`);
	return h('div', {class: className ? `field ${className}` : 'field'}, h('label', {for: id}, labelText), control, hint ? h('p', {class: 'hint'}, hint) : null,
	         message);
}

// Shows a short message in the polite live region at the bottom of the page.
let toastTimer = null;
export function toast(text, kind = 'info') {
	const box = document.getElementById('toast');
	box.textContent = text;
	box.dataset.kind = kind;
	box.classList.add('shown');
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => box.classList.remove('shown'), 4000);
}
