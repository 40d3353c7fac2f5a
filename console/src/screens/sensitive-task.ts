import { ApiProblem } from '../api';
import { field, h } from '../dom';
import { activeKey } from '../my-keys';
import { sign } from '../signing';
import type { Screen } from '../ui';

interface TaskAuthorization {
  authorized: boolean;
  method: 'SIGNATURE' | 'REMEMBERED';
  validUntil: string;
}

/** Authorize a sensitive task (R11): remembered within this browser's window, else signed. */
export async function sensitiveTaskScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api, browserId } = screen;
  const task = h('input', { type: 'text', name: 'task', autocomplete: 'off', required: true, maxlength: '200' });
  const result = h('p', { 'data-testid': 'task-result' });
  const authorize = async () => {
    const name = task.value.trim();
    const path = api.orgPath('sensitive-tasks');
    let authorization: TaskAuthorization;
    try {
      authorization = await api.post<TaskAuthorization>(path, { browserId, task: name });
    } catch (error) {
      if (!(error instanceof ApiProblem && error.status === 401 && error.problem.promptRequired === true)) throw error;
      const key = await activeKey(api);
      const proof = await sign(api, key, { purpose: 'SENSITIVE_TASK', browserId, task: name });
      authorization = await api.post<TaskAuthorization>(path, { browserId, task: name, ...proof });
    }
    result.replaceChildren(
      `Authorized “${name}” ${authorization.method === 'SIGNATURE' ? 'with your signature' : 'without a signature (remembered)'}; valid until ${authorization.validUntil}.`,
    );
    screen.notice(`Authorized “${name}”.`);
  };
  return [
    h('h1', {}, 'Authorize a sensitive task'),
    h('p', {}, 'Asks for your signature unless this browser’s prompt frequency still remembers your last one.'),
    h('form', { onsubmit: (event) => (event.preventDefault(), screen.act(authorize)(event)) }, field('Task', task, 'For example remote-control:device-42'), h('button', { type: 'submit', class: 'primary' }, 'Authorize')),
    result,
  ];
}
