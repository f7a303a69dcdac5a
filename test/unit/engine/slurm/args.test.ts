// What the engine asks Slurm for and how it reads Slurm's answers (engine/slurm.ts), without a cluster.
import { describe, expect, it } from 'vitest';
import { hostBuilds, hostVersion } from '../../../../engine/host-install';
import { jobName, slurmLost, slurmReason, srunArgs } from '../../../../engine/slurm';

const cluster = {
  name: 'cluster',
  destination: 'Slurm',
  options: [],
  slurm: { partition: 'debug', time: '00:10:00', cpus: 2, mem: '1G', options: ['--qos=short', '--ntasks=8'] },
};

describe('srun for a step', () => {
  it('asks for the host’s settings, then its options (they win over those), then one task on one node, which no option overrides', () => {
    const args = srunArgs(cluster, 'pw-x-1');
    const engineOwn = args.indexOf('--ntasks=1');
    expect(args.slice(0, engineOwn)).toEqual([
      'srun',
      '--job-name=pw-x-1',
      '--partition=debug',
      '--time=00:10:00',
      '--cpus-per-task=2',
      '--mem=1G',
      '--qos=short',
      '--ntasks=8',
    ]);
    expect(args.slice(engineOwn, engineOwn + 6)).toEqual(['--ntasks=1', '--nodes=1', '--input=0', '--', '/bin/sh', '-c']);
    // The step's sh, which needs no perl, then this version with each build's checksum (it checks the node's cached pw-segment against them).
    expect(args[engineOwn + 6]).toMatch(/exec "\$p" --slurm-step$/);
    expect(args[engineOwn + 6]).not.toMatch(/perl/);
    const after = args.slice(engineOwn + 8);
    expect(args[engineOwn + 7]).toBe('pipewright');
    expect(after[0]).toBe(hostVersion);
    expect(after.slice(1)).toEqual(hostBuilds().flatMap((b) => [b.target, b.sha256]));
    expect(after.slice(1).filter((_, i) => i % 2 === 1)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]) as unknown);
    // None of it carries the token or the address: those come on srun's stdin.
    expect(args.slice(engineOwn).join(' ')).not.toMatch(/127\.0\.0\.1|token=/);
  });

  it('names each job after its stage, uniquely (scancel finds it by name)', () => {
    expect(jobName('square.2')).toMatch(/^pw-square\.2-[0-9a-f]{8}$/);
    expect(jobName('a')).not.toBe(jobName('a'));
  });
});

describe('Slurm’s answers', () => {
  const timeLimit = 'slurmstepd-node7: error: *** STEP 61.0 ON node7 CANCELLED AT 2026-12-07T03:22:49 DUE TO TIME LIMIT ***';

  it('reads the reason Slurm ended a step for', () => {
    expect(slurmReason(['srun: job 61 queued and waiting for resources', timeLimit])).toEqual({
      reason: 'time limit',
      line: '*** STEP 61.0 ON node7 CANCELLED AT 2026-12-07T03:22:49 DUE TO TIME LIMIT ***',
    });
    expect(slurmReason(['srun: error: *** JOB 9 ON n1 CANCELLED AT 2026-12-07T03:22:49 DUE TO PREEMPTION ***'])?.reason).toBe('preemption');
    expect(slurmReason(['srun: error: Unable to allocate resources: Invalid partition name specified'])).toBeUndefined();
  });

  it('says why stages never reported: ended by Slurm, never started (srun’s words, not its progress lines), or lost', () => {
    expect(slurmLost(cluster, [timeLimit], true, 0)).toBe(
      'was ended by Slurm on Slurm cluster `cluster` (time limit): *** STEP 61.0 ON node7 CANCELLED AT 2026-12-07T03:22:49 DUE TO TIME LIMIT ***',
    );
    const refused = slurmLost(
      cluster,
      ['srun: error: Unable to allocate resources: Invalid account', 'srun: job 3 queued and waiting for resources'],
      false,
      1,
    );
    expect(refused).toMatch(
      /^could not start as a job step on Slurm cluster `cluster`: srun: error: Unable to allocate resources: Invalid account; check that `srun -n1 true` works/,
    );
    expect(slurmLost(cluster, [], false, 1)).toContain(': srun exited with code 1;');
    expect(slurmLost(cluster, [], true, 9)).toBe('lost its job step on Slurm cluster `cluster` (srun exited with code 9)');
  });
});
