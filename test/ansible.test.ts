/**
 * Ansible's vyos.vyos collection (Debian 12's ansible) against `fos serve`:
 * the real ansible-playbook over network_cli, test/automation/ansible/site.yml.
 * Every task is asserted by name, and the router's state after it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, type Served } from './helpers/serve.js';

interface TaskResult {
  readonly failed?: boolean;
  readonly changed?: boolean;
  readonly msg?: string;
  readonly module_stderr?: string;
  readonly stdout?: string;
  readonly stdout_lines?: string[];
  readonly gathered?: unknown;
  readonly ansible_facts?: Record<string, unknown>;
}

const playbookDir = join(repoRoot, 'test', 'automation', 'ansible');
let lab: Lab;
let server: Served;
let backup: string;
const tasks = new Map<string, TaskResult>();
let stats: Record<string, number> = {};

beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags);
  backup = mkdtempSync(join(tmpdir(), 'fos-ansible-backup-'));
  const { stdout } = await promisify(execFile)('ansible-playbook', ['site.yml'], {
    cwd: playbookDir,
    env: {
      ...process.env,
      ANSIBLE_CONFIG: join(playbookDir, 'ansible.cfg'),
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_LOCAL_TEMP: join(backup, 'tmp'),
      ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(backup, 'pc'),
      FOS_ANSIBLE_PORT: String(server.port),
      FOS_ANSIBLE_NETNS: lab.netns,
      FOS_ANSIBLE_BACKUP: backup,
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    // A failed task makes ansible-playbook exit non-zero; the report is still on stdout.
    if (!e.stdout) throw new Error(`ansible-playbook: ${e.message}\n${e.stderr ?? ''}`);
    return { stdout: e.stdout };
  });
  const report = JSON.parse(stdout) as {
    plays: { tasks: { task: { name: string }; hosts: Record<string, TaskResult> }[] }[];
    stats: Record<string, Record<string, number>>;
  };
  for (const t of report.plays[0]!.tasks) tasks.set(t.task.name, t.hosts.fos!);
  stats = report.stats.fos!;
}, 360_000);

afterAll(async () => {
  await server?.stop();
  await lab?.down();
  if (backup) rmSync(backup, { recursive: true, force: true });
});

const task = (name: string): TaskResult => {
  const t = tasks.get(name);
  if (!t) throw new Error(`no task '${name}' in the report`);
  return t;
};
const succeeded = (name: string, changed: boolean): void => {
  const t = task(name);
  expect(t.failed, `${name}: ${t.msg ?? ''} ${t.module_stderr ?? ''}`).toBeFalsy();
  expect(Boolean(t.changed), `${name} changed`).toBe(changed);
};

describe('Ansible vyos.vyos against fos serve', () => {
  it('runs every task, and only the ones meant to fail fail', () => {
    expect(stats.unreachable).toBe(0);
    expect(stats.failures).toBe(0);
    // command unknown, config bad line, and the two 1.3-syntax modules below.
    expect(stats.ignored).toBe(4);
  });

  it('vyos_command: output, wait_for, and an unknown word refused naming it', () => {
    succeeded('command show', false);
    const unknown = task('command unknown');
    expect(unknown.failed).toBe(true);
    expect(unknown.msg).toContain("unknown word 'nosuchthing'");
  });

  it('vyos_config: lines, idempotent, match none, a bad line, delete, save, backup, comment', async () => {
    succeeded('config lines', true);
    succeeded('config lines again', false);
    succeeded('config match none', true);
    const bad = task('config bad line');
    expect(bad.failed).toBe(true);
    expect(bad.msg).toContain("did you mean 'address'");
    succeeded('config delete', true);
    succeeded('config delete again', false);
    succeeded('config save', true);
    succeeded('config save again', false);
    const saved = readdirSync(backup).filter((f) => f === 'fos.cfg');
    expect(saved).toHaveLength(1);
    expect(readFileSync(join(backup, 'fos.cfg'), 'utf8')).toContain('set system host-name');
    const commits = await runFos([...lab.flags, '-c', 'show system commit']);
    expect(commits.out).toMatch(/by fos via ssh\n +ansible lines\n/);
    // match none sends the same lines again: the commit changes nothing and records no revision.
    expect(commits.out).not.toContain('ansible match none');
  });

  it.each([
    'interfaces',
    'l3_interfaces',
    'hostname',
    'firewall_global',
    'static_routes',
    'prefix_lists',
    'route_maps',
    'ospfv2',
  ])('%s: merged changes, merged again changes nothing, replaced changes', (module) => {
    succeeded(`${module} merged`, true);
    succeeded(`${module} merged again`, false);
    succeeded(`${module} replaced`, true);
  });

  it('resource modules change the namespace for real', () => {
    const [link] = JSON.parse(task('ip eth3 after interfaces replaced').stdout!);
    expect(link.ifalias).toBe('replaced');
    expect(link.mtu).toBe(1500);
    const [addrs] = JSON.parse(task('ip eth3 after l3_interfaces replaced').stdout!);
    const locals = addrs.addr_info.map((a: { local: string }) => a.local);
    expect(locals).toContain('10.3.0.2');
    expect(locals).not.toContain('10.3.0.1');
    expect(locals).not.toContain('2001:db8:3::1');
    const sets = JSON.stringify(
      JSON.parse(task('nft sets after firewall_global replaced').stdout!),
    );
    expect(sets).toContain('192.0.2.12');
    expect(sets).not.toContain('192.0.2.10');
    expect(task('ip route after static_routes replaced').stdout).toContain('10.3.0.253');
  });

  it('gathered and facts read back what was configured', () => {
    expect(JSON.stringify(task('hostname gathered').gathered)).toContain('fos-ansible');
    expect(JSON.stringify(task('firewall_global gathered').gathered)).toContain('ANSIBLE-HOSTS');
    expect(JSON.stringify(task('ospfv2 gathered').gathered)).toContain('10.3.0.9');
    const facts = task('facts after replaced').ansible_facts!;
    expect(String(facts.ansible_net_version)).toMatch(/^FOS1 /);
    expect(String(facts.ansible_net_config)).toContain("set system host-name 'fos-replaced'");
    const commits = facts.ansible_net_commits as { by: string; via: string }[];
    expect(commits.length).toBeGreaterThan(5);
    expect(commits[0]).toMatchObject({ by: 'fos', via: 'ssh' });
    const resources = facts.ansible_network_resources as Record<string, unknown>;
    expect(Object.keys(resources)).toEqual(expect.arrayContaining(['interfaces', 'static_routes']));
  });

  it('deleted removes what the modules configured', async () => {
    for (const m of ['ospfv2', 'route_maps', 'prefix_lists', 'static_routes', 'hostname'])
      succeeded(`${m} deleted`, true);
    succeeded('interfaces deleted again', false);
    const shown = await runFos([...lab.flags, '-c', 'show configuration commands']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).not.toMatch(/ANSIBLE|fos-replaced|198\.51\.100\.0|ospf/);
  });

  it('firewall_rules and bgp_global of this collection write VyOS 1.3 syntax, refused naming the word', () => {
    // vyos.vyos 4.1.0 writes `firewall name X` and `protocols bgp ASN`; FOS1 has 1.4's paths.
    expect(task('firewall_rules merged').module_stderr).toContain(
      "unknown word 'name' under 'firewall'",
    );
    expect(task('bgp_global merged').module_stderr).toContain(
      "unknown word '65001' under 'protocols bgp'",
    );
  });
});
