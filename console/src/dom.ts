/** Builds DOM nodes from data: text always goes in as text, never as HTML, so no server value can become markup. */
type Child = Node | string | number | null | undefined | false;
type Prop = string | boolean | number | ((event: Event) => void) | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, Prop> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false).map((child) => (typeof child === 'number' ? String(child) : child)));
  return element;
}

/** A labelled form control: the label names it for screen readers and keyboard users. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export function select(name: string, options: readonly string[], any?: string): HTMLSelectElement {
  return h('select', { name }, ...(any ? [h('option', { value: '' }, any)] : []), ...options.map((option) => h('option', { value: option }, option)));
}

/** A table with a caption and column headers. */
export function table(caption: string, headers: string[], rows: Child[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
  );
}

/** A verification code in its groups of 3 digits, read out group by group. */
export const codeView = (code: string): HTMLElement =>
  h('span', { class: 'code', 'aria-label': `verification code ${code.split('-').join(', ')}` }, ...code.split('-').map((group) => h('span', { class: 'group' }, group)));

/**
 * An agent as "Display name (agent id)". The name is isolated (bdi): a right-to-left name, which
 * the API accepts, would otherwise pull the parenthesis and an all-digit id into its own run and
 * show "(1001) name", the id read before the name or merged with digits the name ends with.
 */
export const agentView = (agentId: string, displayName?: string): HTMLElement =>
  displayName ? h('span', {}, h('bdi', {}, displayName), ` (${agentId})`) : h('span', {}, agentId);
