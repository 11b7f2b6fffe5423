/* global Node */
// A tiny DOM builder: no framework, no build step, and nothing a strict
// Content-Security-Policy refuses (no inline handlers, no innerHTML with markup).

/** h('button', { class: 'primary', onClick: fn }, 'Save') → an element. */
export function h (tag, props, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value)
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value)
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      el[key] = value
    } else {
      el.setAttribute(key, value === true ? '' : String(value))
    }
  }
  append(el, children)
  return el
}

export function append (el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false || child === true) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/** Replaces the contents of el. */
export function mount (el, ...children) {
  el.replaceChildren()
  return append(el, children)
}

/** A <table> from column definitions: [{ label, cell: (row) => node|string, class? }]. */
export function table (columns, rows, { empty = '—', caption } = {}) {
  return h('table', { class: 'data' },
    caption != null ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, columns.map(c => h('th', { class: c.class, scope: 'col' }, c.label)))),
    h('tbody', null, rows.length === 0
      ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty))
      : rows.map(r => h('tr', null, columns.map(c => h('td', { class: c.class }, c.cell(r)))))
    )
  )
}
