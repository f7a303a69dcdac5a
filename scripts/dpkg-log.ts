// A made-up dpkg.log in the real format (what `dpkg` writes to /var/log/dpkg.log), for the text-log
// example and its tests: apt sessions that install, upgrade and remove packages, with the status
// lines, triggers and `startup` lines dpkg writes around them. Seeded, so the same arguments give
// the same file. Nothing here is copied from a real log.
//
//   npx tsx scripts/dpkg-log.ts [--seed N] [--days N] [--end YYYY-MM-DD] > examples/data/dpkg.log
import { mulberry32 } from '../engine/random';

export interface DpkgLogOptions {
  seed: number;
  /** How many days, ending with `end`. */
  days: number;
  /** The last day, `YYYY-MM-DD`. */
  end: string;
}

const packages = [
  'bash',
  'coreutils',
  'curl',
  'git',
  'git-man',
  'vim',
  'vim-runtime',
  'openssl',
  'libssl3',
  'ca-certificates',
  'tzdata',
  'less',
  'python3',
  'python3-minimal',
  'libpython3-stdlib',
  'perl',
  'perl-base',
  'libc6',
  'libc-bin',
  'locales',
  'gcc',
  'cpp',
  'make',
  'libstdc++6',
  'zlib1g',
  'liblzma5',
  'xz-utils',
  'gzip',
  'tar',
  'rsync',
  'openssh-client',
  'openssh-server',
  'sudo',
  'jq',
  'libjq1',
  'libonig5',
  'nginx',
  'nginx-common',
  'postgresql-15',
  'postgresql-client-15',
  'redis-server',
  'redis-tools',
  'nodejs',
  'libuv1',
  'fonts-dejavu-core',
  'fontconfig-config',
  'libfreetype6',
  'libpng16-16',
  'libjpeg62-turbo',
  'htop',
  'tmux',
  'libevent-core-2.1-7',
  'dnsutils',
  'bind9-libs',
  'iproute2',
  'iputils-ping',
  'netbase',
  'man-db',
  'manpages',
  'groff-base',
  'libgdbm6',
  'sqlite3',
  'libsqlite3-0',
  'unzip',
  'zip',
  'wget',
  'libcurl4',
  'libnghttp2-14',
  'libssh2-1',
];
const allArch = new Set(['git-man', 'vim-runtime', 'ca-certificates', 'tzdata', 'fonts-dejavu-core', 'fontconfig-config', 'manpages', 'netbase']);

export function dpkgLog({ seed, days, end }: DpkgLogOptions): string {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  /** What is installed, and at which version. */
  const installed = new Map<string, string>();
  const version = (): string => `${int(0, 12)}.${int(0, 40)}.${int(0, 9)}-${int(1, 4)}${random() < 0.3 ? `+deb12u${int(1, 9)}` : ''}`;
  const bump = (v: string): string => v.replace(/-(\d+)/, (_, n: string) => `-${Number(n) + 1}`);
  const out: string[] = [];
  const last = Date.parse(`${end}T00:00:00Z`);
  for (let day = days - 1; day >= 0; day--) {
    const date = new Date(last - day * 86_400_000).toISOString().slice(0, 10);
    const sessions = Array.from({ length: int(1, 4) }, () => int(6 * 3600, 23 * 3600)).sort((a, b) => a - b);
    for (let at of sessions) {
      const stamp = (): string => {
        at += random() < 0.3 ? 1 : 0;
        const t = Math.min(at, 86_399);
        const hh = String(Math.floor(t / 3600)).padStart(2, '0');
        const mm = String(Math.floor(t / 60) % 60).padStart(2, '0');
        const ss = String(t % 60).padStart(2, '0');
        return `${date} ${hh}:${mm}:${ss}`;
      };
      const line = (text: string): number => out.push(`${stamp()} ${text}`);
      const chosen = [...new Set(Array.from({ length: int(1, 14) }, () => pick(packages)))];
      const removing = random() < 0.15 ? chosen.filter((p) => installed.has(p)).slice(0, 2) : [];
      const changing = chosen.filter((p) => !removing.includes(p));
      const name = (p: string): string => `${p}:${allArch.has(p) ? 'all' : 'amd64'}`;
      for (const p of removing) {
        const v = installed.get(p)!;
        line(`startup packages remove`);
        line(`status installed ${name(p)} ${v}`);
        line(`remove ${name(p)} ${v} <none>`);
        line(`status half-configured ${name(p)} ${v}`);
        line(`status half-installed ${name(p)} ${v}`);
        line(`status config-files ${name(p)} ${v}`);
        line(`status not-installed ${name(p)} <none>`);
        installed.delete(p);
      }
      if (changing.length === 0) continue;
      line('startup archives unpack');
      const next = new Map<string, string>();
      for (const p of changing) {
        const old = installed.get(p);
        const v = old === undefined ? version() : bump(old);
        next.set(p, v);
        if (old === undefined) {
          line(`install ${name(p)} <none> ${v}`);
          line(`status half-installed ${name(p)} ${v}`);
        } else {
          line(`upgrade ${name(p)} ${old} ${v}`);
          line(`status half-configured ${name(p)} ${old}`);
          line(`status unpacked ${name(p)} ${old}`);
          line(`status half-installed ${name(p)} ${old}`);
        }
        line(`status unpacked ${name(p)} ${v}`);
      }
      if (random() < 0.2) line(`conffile /etc/${pick(changing)}/${pick(['main.conf', 'defaults', 'config'])} keep`);
      line('startup packages configure');
      for (const [p, v] of next) {
        line(`configure ${name(p)} ${v} <none>`);
        line(`status unpacked ${name(p)} ${v}`);
        line(`status half-configured ${name(p)} ${v}`);
        line(`status installed ${name(p)} ${v}`);
        installed.set(p, v);
      }
      line('trigproc man-db:amd64 2.11.2-2 <none>');
      line('status half-configured man-db:amd64 2.11.2-2');
      line('status installed man-db:amd64 2.11.2-2');
    }
  }
  return `${out.join('\n')}\n`;
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

if (require.main === module) {
  process.stdout.write(dpkgLog({ seed: Number(argument('seed', '8')), days: Number(argument('days', '30')), end: argument('end', '2026-06-02') }));
}
