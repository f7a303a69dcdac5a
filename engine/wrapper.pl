# The wrapper of one stage (engine/segment.sh execs it in place of each pipeline element, so its
# fds 0 and 1 are the stage's pipes): forks the stage — a fresh bash running segment.sh in
# stage mode, which sets the stage up and execs its program, so the pid stays the program's —
# gives up its own copies of the stage's fds (end of file and SIGPIPE then work as in a shell),
# reports `pid I PID TIME` on fd 3, waits, and reports
# `done I STATUS RCHAR WCHAR CUTIME CSTIME TIME HOW MAXRSS`: HOW is `exit` or `signal`, exactly as
# the kernel's wait status says (bash's `wait` gives both as 128 + N), the totals are the
# stage's exact I/O and CPU (the kernel adds a reaped child's to its parent's, and the wrapper's
# own start-up, read before the fork, is taken off), and MAXRSS is the stage's peak resident
# memory in KB from the kernel's accounting of the reaped process (wait4's ru_maxrss: the
# largest of the stage and the children it reaped).
# No modules (each costs milliseconds per stage): raw syscalls, numbers from the engine.
my ($script, $i) = @ARGV;
my ($sys_close, $sys_clock, $sys_wait4) = split / /, $ENV{__PW_SYSCALLS};
my $ioread = 0;
sub now {
  my $ts = "\0" x 16;
  return '' if syscall($sys_clock, 0, $ts) != 0;
  my ($s, $ns) = unpack 'q q', $ts;
  return sprintf '%d.%06d', $s, $ns / 1000;
}
sub io {
  open my $f, '<', '/proc/self/io' or return (0, 0);
  my ($r, $w) = (0, 0);
  while (my $line = <$f>) {
    $ioread += length $line;
    $r = $1 if $line =~ /^rchar:\s*(\d+)/;
    $w = $1 if $line =~ /^wchar:\s*(\d+)/;
  }
  return ($r, $w);
}
open my $ctl, '>&=', 3 or exit 70;
my ($r0, $w0) = io();
my $pid = fork;
if (!defined $pid) {
  syswrite $ctl, "done $i 126 0 0 0 0 " . now() . " exit\n";
  exit 1;
}
if ($pid == 0) {
  $SIG{$_} = 'DEFAULT' for qw(TERM INT QUIT PIPE HUP);
  exec { '/bin/bash' } 'bash', '--noprofile', '--norc', '-c', $script, 'pipewright-stage', $i;
  exit 126;
}
syscall($sys_close, $_ + 0) for 0, 1, split / /, $ENV{__PW_FDS};
my $m = "pid $i $pid " . now() . "\n";
syswrite $ctl, $m;
# wait4(pid, &status, 0, &rusage): struct rusage is two timevals then ru_maxrss, all longs.
my ($status, $rusage) = ("\0" x 8, "\0" x 144);
my $got;
do { $got = syscall($sys_wait4, $pid, $status, 0, $rusage) } while ($got == -1 && $! == 4);    # EINTR
my $st = unpack 'l', $status;
my $maxrss = $got == $pid ? (unpack 'q5', $rusage)[4] : 0;
my $end = now();
my ($code, $how) = ($st & 127) ? (128 + ($st & 127), 'signal') : ($st >> 8, 'exit');
my $read0 = $ioread;
my ($r1, $w1) = io();
open my $sf, '<', '/proc/self/stat' or exit 70;
my $stat = <$sf>;
$stat =~ s/^.*\) //s;
# After the command name: [0] state … [13] cutime [14] cstime.
my @f = split / /, $stat;
syswrite $ctl, sprintf "done %d %d %d %d %d %d %s %s %d\n", $i, $code, $r1 - $r0 - $read0, $w1 - $w0 - length($m), $f[13], $f[14], $end, $how, $maxrss;
