// A real single-node Slurm cluster for the tests (Debian's slurmctld, slurmd and munge): every
// file in a temporary folder (key, sockets, state, spool, logs, slurm.conf), daemons on free ports
// of 127.0.0.1, nothing of /etc/slurm or /etc/munge read or written. Clients find it through
// `SLURM_CONF` (in `env`). See docs/remote.md#testing-slurm and ../shared/FACTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../remote/sshd';

const daemons = ['/usr/sbin/munged', '/usr/sbin/mungekey', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/srun'];

/** Why no cluster can start here; undefined when it can. */
export function whyNoCluster(): string | undefined {
  if (process.getuid?.() !== 0) return 'a Slurm cluster needs root (slurmd runs the steps as their users)';
  const missing = daemons.filter((p) => !fs.existsSync(p));
  return missing.length > 0 ? `${missing.join(', ')} not installed (scripts/setup-system.sh installs slurmctld slurmd slurm-client munge)` : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class Cluster {
  private constructor(
    readonly dir: string,
    /**
     * What a client needs: SLURM_CONF, and PATH as this process has it; XDG_CACHE_HOME, which its
     * steps inherit, puts the node's pw-segment in this cluster's folder, not in this machine's ~/.cache.
     */
    readonly env: Record<string, string>,
    private readonly pidFiles: string[],
  ) {}

  /** Starts munged, slurmctld and slurmd, and resolves once the node is idle; throws with the daemons' logs when it cannot. */
  static async start(cpus = 4): Promise<Cluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-slurm-'));
    // munged refuses a socket folder that not everyone can enter.
    fs.chmodSync(dir, 0o755);
    const at = (name: string) => path.join(dir, name);
    for (const d of ['state', 'spool', 'munge']) fs.mkdirSync(at(d));
    fs.chmodSync(at('munge'), 0o755);
    const host = os.hostname();
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const socket = at('munge/munge.socket');
    execFileSync('/usr/sbin/mungekey', ['-c', '-k', at('munge/munge.key')]);
    execFileSync('/usr/sbin/munged', [
      `--key-file=${at('munge/munge.key')}`,
      `--socket=${socket}`,
      `--pid-file=${at('munge/munged.pid')}`,
      `--log-file=${at('munge/munged.log')}`,
      `--seed-file=${at('munge/munge.seed')}`,
    ]);
    const conf = at('slurm.conf');
    fs.writeFileSync(
      conf,
      [
        'ClusterName=pipewright',
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'SlurmUser=root',
        'AuthType=auth/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${at('state')}`,
        `SlurmdSpoolDir=${at('spool')}`,
        `SlurmctldPidFile=${at('slurmctld.pid')}`,
        `SlurmdPidFile=${at('slurmd.pid')}`,
        `SlurmctldLogFile=${at('slurmctld.log')}`,
        `SlurmdLogFile=${at('slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'MpiDefault=none',
        'ReturnToService=2',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'AccountingStorageType=accounting_storage/none',
        'JobAcctGatherType=jobacct_gather/linux',
        'JobAcctGatherFrequency=task=1',
        'JobCompType=jobcomp/filetxt',
        `JobCompLoc=${at('jobcomp.txt')}`,
        // Time limits are checked this often (s) and a step over its limit is killed this long after SIGTERM.
        'KillWait=2',
        'OverTimeLimit=0',
        'MessageTimeout=5',
        // Pending jobs are tried every second, not every minute (Slurm's default): queued copies start soon after others end.
        'SchedulerParameters=sched_interval=1',
        // The node may say more CPUs than this machine has: tests place more steps than it has cores.
        'SlurmdParameters=config_overrides',
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
        'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    const env = { SLURM_CONF: conf, PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CACHE_HOME: at('cache') };
    const cluster = new Cluster(dir, env, [at('munge/munged.pid'), at('slurmctld.pid'), at('slurmd.pid')]);
    try {
      execFileSync('/usr/sbin/slurmctld', ['-i'], { env });
      execFileSync('/usr/sbin/slurmd', [], { env });
      await cluster.waitIdle();
    } catch (e) {
      const logs = ['slurmctld.log', 'slurmd.log', 'munge/munged.log'].map((f) => `${f}:\n${cluster.tail(f)}`).join('\n');
      await cluster.stop();
      throw new Error(`the test cluster did not start: ${(e as Error).message}\n${logs}`);
    }
    return cluster;
  }

  private tail(file: string): string {
    try {
      return fs.readFileSync(path.join(this.dir, file), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(none)';
    }
  }

  /** `sinfo` until the node is idle: slurmd registers with slurmctld shortly after both have started. */
  private async waitIdle(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const r = spawnSync('sinfo', ['-h', '-o', '%t'], { env: this.env, encoding: 'utf8' });
      if (r.stdout.trim() === 'idle') return;
      // The daemons' own start-up: nothing to wait on but their answer.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the node never became idle');
  }

  /** `squeue` lines (steps with `steps`), empty when nothing of ours is queued or running. */
  squeue(steps = false): string[] {
    const r = spawnSync('squeue', steps ? ['-h', '-s', '-o', '%i %j'] : ['-h', '-o', '%i %j %T'], { env: this.env, encoding: 'utf8' });
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  }

  /** Stops the daemons and, once they have exited (they remove their sockets and pid files on the way), removes the folder. */
  async stop(): Promise<void> {
    const pids: number[] = [];
    for (const file of this.pidFiles.toReversed()) {
      try {
        const pid = Number(fs.readFileSync(file, 'utf8').trim());
        process.kill(pid, 'SIGTERM');
        pids.push(pid);
      } catch {
        // not started, or gone
      }
    }
    while (pids.some(alive)) await new Promise((resolve) => setTimeout(resolve, 20));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
