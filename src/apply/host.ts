/**
 * What the host reports about itself for `show system ...` and `show
 * version`: uptime and load, memory, CPUs, the file system FOS1 keeps its
 * state on, and the hardware's name. These are the machine's, not a
 * namespace's: network namespaces share them.
 */
import { readFileSync, statfsSync } from 'node:fs';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface Uptime {
  readonly seconds: number;
  /** Load averages over 1, 5 and 15 minutes. */
  readonly load: readonly [number, number, number];
}

export function parseUptime(uptime: string, loadavg: string): Uptime {
  const seconds = Math.floor(Number(uptime.trim().split(/\s+/)[0]) || 0);
  const [a, b, c] = loadavg
    .trim()
    .split(/\s+/)
    .slice(0, 3)
    .map((v) => Number(v) || 0);
  return { seconds, load: [a ?? 0, b ?? 0, c ?? 0] };
}

export function readUptime(): Uptime {
  return parseUptime(readText('/proc/uptime') ?? '0', readText('/proc/loadavg') ?? '0 0 0');
}

export interface Memory {
  /** Bytes. */
  readonly total: number;
  readonly free: number;
  readonly used: number;
  readonly buffers: number;
  readonly cached: number;
}

export function parseMeminfo(text: string): Memory {
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return {
    total,
    free: available,
    used: total - available,
    buffers: kb('Buffers'),
    cached: kb('Cached'),
  };
}

export function readMemory(): Memory {
  return parseMeminfo(readText('/proc/meminfo') ?? '');
}

export interface Cpu {
  readonly processor: number;
  readonly vendor: string;
  readonly model: string;
  readonly cores: number | undefined;
  readonly mhz: number | undefined;
  readonly flags: readonly string[];
}

export function parseCpuinfo(text: string): Cpu[] {
  return text
    .split(/\n\s*\n/)
    .filter((block) => /^processor\s*:/m.test(block))
    .map((block) => {
      const field = (name: string): string | undefined =>
        new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
      const number = (name: string): number | undefined => {
        const v = field(name);
        return v === undefined || Number.isNaN(Number(v)) ? undefined : Number(v);
      };
      return {
        processor: number('processor') ?? 0,
        vendor: field('vendor_id') ?? '',
        model: field('model name') ?? '',
        cores: number('cpu cores'),
        mhz: number('cpu MHz'),
        flags: (field('flags') ?? '').split(/\s+/).filter(Boolean),
      };
    });
}

export function readCpus(): Cpu[] {
  return parseCpuinfo(readText('/proc/cpuinfo') ?? '');
}

export interface Storage {
  /** The directory asked about (FOS1's state directory). */
  readonly path: string;
  /** What is mounted there (`/dev/vda1`, `overlay`). */
  readonly filesystem: string;
  /** Bytes. */
  readonly size: number;
  readonly used: number;
  readonly available: number;
  /** Used, in percent of what is not reserved, as df counts it. */
  readonly usePercent: number;
}

export function readStorage(path: string): Storage {
  const s = statfsSync(path);
  const size = s.blocks * s.bsize;
  const available = s.bavail * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const usable = used + available;
  return {
    path,
    filesystem: mountSource(path),
    size,
    used,
    available,
    usePercent: usable === 0 ? 0 : Math.ceil((used / usable) * 100),
  };
}

export interface Hardware {
  readonly vendor: string;
  readonly model: string;
  readonly serial: string;
  readonly uuid: string;
  /** `bare metal`, `KVM guest`, ... as VyOS names it. */
  readonly systemType: string;
}

const dmi = (name: string): string => readText(`/sys/class/dmi/id/${name}`)?.trim() || 'n/a';

export function systemTypeOf(vendor: string, product: string, guest: boolean): string {
  if (!guest) return 'bare metal';
  const name = `${vendor} ${product}`;
  if (/QEMU|KVM/i.test(name)) return 'KVM guest';
  if (/VMware/i.test(name)) return 'VMware guest';
  if (/Xen/i.test(name)) return 'Xen guest';
  if (/Microsoft/i.test(name)) return 'Hyper-V guest';
  if (/innotek|VirtualBox/i.test(name)) return 'VirtualBox guest';
  return 'virtual machine';
}

export function readHardware(cpus: readonly Cpu[] = readCpus()): Hardware {
  const vendor = dmi('sys_vendor');
  const model = dmi('product_name');
  const guest = cpus.some((c) => c.flags.includes('hypervisor'));
  return {
    vendor,
    model,
    serial: dmi('product_serial'),
    uuid: dmi('product_uuid'),
    systemType: systemTypeOf(vendor, model, guest),
  };
}

/** The device or source mounted at the longest mount point holding `path` (`/proc/self/mounts`). */
export function mountSource(path: string, mounts = readText('/proc/self/mounts') ?? ''): string {
  let best = { point: '', source: 'n/a' };
  for (const line of mounts.split('\n')) {
    const [source, point] = line.split(' ');
    if (!source || !point) continue;
    const inside = point === '/' || path === point || path.startsWith(`${point}/`);
    if (inside && point.length >= best.point.length) best = { point, source };
  }
  return best.source;
}
