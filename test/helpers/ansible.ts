/**
 * ansible-playbook against `fos serve`, run once with the json callback, and
 * the checks the Ansible tests make on its tasks by name.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './paths.js';

export const ansibleDir = join(repoRoot, 'test', 'automation', 'ansible');

export type Result = Record<string, unknown> & {
  changed?: boolean;
  failed?: boolean;
  commands?: string[];
  gathered?: unknown;
  msg?: string;
  module_stderr?: string;
  stdout?: string | string[];
  ansible_facts?: Record<string, unknown>;
};

export interface Played {
  readonly results: Map<string, Result>;
  readonly stats: Record<string, number>;
  readonly seconds: number;
  /** ansible-playbook's stderr: its warnings. */
  readonly err: string;
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(cmd, args, { cwd: ansibleDir, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/**
 * Runs `playbook` (in test/automation/ansible, its ansible.cfg) for the host `fos`,
 * every Ansible directory under `work`; `env` adds the playbook's own variables.
 */
export async function playbook(
  file: string,
  work: string,
  env: Record<string, string>,
): Promise<Played> {
  const started = Date.now();
  const r = await run('ansible-playbook', [file], {
    ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg'),
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_HOME: join(work, 'home'),
    ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
    ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(work, 'pc'),
    ANSIBLE_NOCOLOR: '1',
    ...env,
  });
  const seconds = (Date.now() - started) / 1000;
  let parsed: {
    plays: { tasks: { task: { name: string }; hosts: Record<string, Result> }[] }[];
    stats: Record<string, Record<string, number>>;
  };
  try {
    parsed = JSON.parse(r.out);
  } catch {
    throw new Error(`ansible-playbook printed no JSON (exit ${r.code}):\n${r.out}\n${r.err}`);
  }
  const results = new Map(parsed.plays[0]!.tasks.map((t) => [t.task.name, t.hosts['fos']!]));
  console.log(`${file}: ${results.size} tasks in ${seconds.toFixed(1)} s`);
  return { results, stats: parsed.stats['fos']!, seconds, err: r.err };
}

export interface Checks {
  task(name: string): Result;
  /** A task that worked and changed what it says, with exactly these commands when given. */
  changed(name: string, commands?: (string | RegExp)[]): Result;
  /** A second run of a task: nothing to do. */
  unchanged(name: string): Result;
  refused(name: string, ...says: string[]): void;
  stdout(name: string): string;
}

/** The checks on a run's tasks; `played` is read when a check runs (after beforeAll). */
export function checks(played: () => Played): Checks {
  const task = (name: string): Result => {
    const r = played().results.get(name);
    if (!r) throw new Error(`no task '${name}' in the playbook's results`);
    return r;
  };
  return {
    task,
    changed(name, commands) {
      const r = task(name);
      expect(r.failed ?? false, `${name}: ${r.msg ?? ''}${r.module_stderr ?? ''}`).toBe(false);
      expect(r.changed, name).toBe(true);
      if (commands) {
        // The collection builds commands from dictionaries: their order is not the point.
        expect(r.commands, name).toHaveLength(commands.length);
        for (const c of commands)
          expect(
            r.commands!.some((x) => (typeof c === 'string' ? x === c : c.test(x))),
            `${name}: ${String(c)} in ${JSON.stringify(r.commands)}`,
          ).toBe(true);
      }
      return r;
    },
    unchanged(name) {
      const r = task(name);
      expect(r.failed ?? false, `${name}: ${r.msg ?? ''}${r.module_stderr ?? ''}`).toBe(false);
      expect(r.changed, name).toBe(false);
      if (r.commands !== undefined) expect(r.commands, name).toEqual([]);
      return r;
    },
    refused(name, ...says) {
      const r = task(name);
      expect(r.failed, name).toBe(true);
      const text = `${r.msg ?? ''}${r.module_stderr ?? ''}`;
      for (const s of says) expect(text, name).toContain(s);
    },
    stdout(name) {
      const out = task(name).stdout;
      return typeof out === 'string' ? out : '';
    },
  };
}
