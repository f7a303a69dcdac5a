// What every Pipewright webview script needs, in the browser: the typed VS Code API (messages
// out, state kept across hide/show and window reloads), DOM builders and keyboard activation.
export interface WebviewApi<State, FromPage> {
  postMessage(message: FromPage): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State, FromPage>(): WebviewApi<State, FromPage>;

/** The page's connection to the extension: call once. `state` starts from what was kept. */
export function connect<State extends object, FromPage, ToPage>(onMessage: (m: ToPage) => void): { post(m: FromPage): void; state: State; save(): void } {
  const api = acquireVsCodeApi<State, FromPage>();
  const page = {
    state: api.getState() ?? ({} as State),
    post: (m: FromPage) => api.postMessage(m),
    save: () => api.setState(page.state),
  };
  window.addEventListener('message', (event: MessageEvent<ToPage>) => onMessage(event.data));
  return page;
}

export const $ = (id: string): HTMLElement => document.getElementById(id)!;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const svgNs = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  e.append(...children);
  return e;
}

/** Click and Enter/Space do the same: everything that acts is reachable from the keyboard (buttons do it themselves). */
export function activate(e: Element, action: () => void): void {
  e.addEventListener('click', action);
  if (e instanceof HTMLButtonElement) return;
  e.addEventListener('keydown', (ev) => {
    if (ev.target !== e) return;
    const k = (ev as KeyboardEvent).key;
    if (k === 'Enter' || k === ' ') {
      ev.preventDefault();
      action();
    }
  });
}
