// Real OpenSSH servers for the tests: each an `sshd -D` on 127.0.0.1 and a free port, with a host
// key, a user key and known_hosts made for this test run in a temporary folder. Nothing of the
// user's ~/.ssh is read or written (the pipeline's host entries point ssh at these files), and
// nothing but 127.0.0.1 is contacted. Each server is set up like a real host, not a quiet test
// one: the login shell reads a ~/.bashrc, and that one is slow (like a `pyenv init` or a conda
// hook) and counts the sessions it starts. The home folder is the login user's own as the user
// database names it (root's), with the test's folder mounted over it in a mount namespace of that
// sshd alone: sshd, bash and the stages find $HOME, ~/.bashrc and ~/.cache as on any host, and
// this machine's own startup files are neither run nor touched.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const sshdPath = '/usr/sbin/sshd';
/** A mount namespace of its own (util-linux `unshare`, root): where each test host's home is mounted. */
function canUnshareMounts(): boolean {
  try {
    execFileSync('unshare', ['--mount', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const haveSshd = fs.existsSync(sshdPath) && fs.existsSync('/usr/bin/ssh') && process.getuid?.() === 0 && canUnshareMounts();

/** Keys shared by the servers of one test file: made once, removed by `removeKeys`. */
export interface Keys {
  dir: string;
  userKey: string;
  hostKey: string;
  knownHosts: string;
}

export function makeKeys(): Keys {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-sshd-'));
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pipewright-test', '-f', file]);
  const userKey = path.join(dir, 'user');
  const hostKey = path.join(dir, 'host');
  keygen(userKey);
  keygen(hostKey);
  fs.copyFileSync(`${userKey}.pub`, path.join(dir, 'authorized_keys'));
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, '');
  return { dir, userKey, hostKey, knownHosts };
}

export function removeKeys(keys: Keys): void {
  fs.rmSync(keys.dir, { recursive: true, force: true });
}

/** A port on 127.0.0.1 that was free a moment ago (taken, then let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The login user's ~/.bashrc on every test host: 1.5 s, as slow as a busy real host's, and each session counted. */
export const slowBashrc = 'echo session >> "$HOME/sessions"\nsleep 1.5\n';

export class Sshd {
  private child: ChildProcess | undefined;
  readonly log: string[] = [];

  private constructor(
    readonly keys: Keys,
    readonly port: number,
    /** The login user's home folder on this host (its ~/.bashrc). */
    readonly home: string,
  ) {}

  /** Starts a server and resolves once it listens (it says so on stderr). */
  static async start(keys: Keys, bashrc = slowBashrc): Promise<Sshd> {
    fs.mkdirSync('/run/sshd', { recursive: true });
    const port = await freePort();
    const home = path.join(keys.dir, `home-${port}`);
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, '.bashrc'), bashrc);
    const config = path.join(keys.dir, `sshd-${port}.conf`);
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${keys.hostKey}`,
        `AuthorizedKeysFile ${path.join(keys.dir, 'authorized_keys')}`,
        'UsePAM no',
        'StrictModes no',
        'PidFile none',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'MaxSessions 64',
        'MaxStartups 64',
        '',
      ].join('\n'),
    );
    fs.appendFileSync(keys.knownHosts, `[127.0.0.1]:${port} ${fs.readFileSync(`${keys.hostKey}.pub`, 'utf8')}`);
    const sshd = new Sshd(keys, port, home);
    // unshare execs sh, which execs sshd: the child's pid is sshd's.
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount --bind "$1" "$2" && exec "$3" -D -e -f "$4"',
        'sh',
        home,
        os.userInfo().homedir,
        sshdPath,
        config,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    sshd.child = child;
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (c: Buffer) => {
        text += String(c);
        sshd.log.push(String(c));
        if (text.includes('Server listening')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`sshd exited with ${code}: ${text}`)));
    });
    return sshd;
  }

  /** A `hosts:` entry (YAML, flow style) that reaches this server with the test's keys only. */
  entry(): string {
    const options = [`UserKnownHostsFile=${this.keys.knownHosts}`, 'StrictHostKeyChecking=yes', 'IdentitiesOnly=yes', 'GlobalKnownHostsFile=/dev/null'];
    return `{ ssh: root@127.0.0.1, port: ${this.port}, identityFile: ${this.keys.userKey}, options: [${options.join(', ')}] }`;
  }

  /** How many ssh sessions have started on this host so far (each ran ~/.bashrc once). */
  sessions(): number {
    try {
      return fs.readFileSync(path.join(this.home, 'sessions'), 'utf8').split('\n').length - 1;
    } catch {
      return 0;
    }
  }

  /** The processes of its sessions now (sshd's own included): pid and name (/proc/PID/comm). */
  processes(): { pid: number; name: string }[] {
    return descendants(this.child!.pid!).flatMap((pid) => {
      try {
        return [{ pid, name: fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() }];
      } catch {
        return []; // gone meanwhile
      }
    });
  }

  /** Stops the server and every session of it (as a machine going away would). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const sessions = descendants(child.pid!);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await exited;
  }
}

/** Every process below `root` (an sshd's connections and their sessions), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      stack.push(c);
      found.push(c);
    }
  }
  return found;
}
