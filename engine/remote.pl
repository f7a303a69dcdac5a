# The remote side of a segment on another host (docs/remote.md). sshd runs `perl -e BOOT`
# (engine/ssh.ts); BOOT reads the variables of the segment from stdin (length-prefixed, ahead of
# the data) into %ENV and evals this script, which runs engine/segment.sh exactly as the local
# launcher does. The session's stdin and stdout are the segment's data, as for `ssh host cmd`.
# What the engine needs goes over the segment's control stream, one line each:
#
#   \x01c LINE     a control line of the wrappers (`pid …`, `done …`)
#   \x01e I LINE   a line of stage I's stderr;      \x01z I   its stderr has ended
#   \x01b LINE     a line of the segment's own bash
#   \x01sI RCHAR WCHAR UTIME STIME CUTIME CSTIME RSSKB HWMKB STATE   a live sample of stage I
#   \x01x STATUS   the segment has ended (its bash's status): nothing was lost
#
# The control stream is a Unix socket that ssh forwards over the session's own connection
# (`ssh -R __PW_CTL:ENGINE_SOCKET`): it outlives the session's stdout, so reports still arrive when
# the reader of the output has gone (ssh then drops the session's stderr), and the engine's
# requests come back on it (`k SIGNAL PID…`: signal these stages), without a new session and its
# login shell. Where the host refuses the forwarding, the lines go to the session's stderr.
# Anything untagged on that stream is ssh's own (auth, host keys, a lost connection).
# It is also the watcher: when the session goes away (the engine's process died, the run was
# cancelled, the connection was lost), sshd closes the session's stderr (select() then reports
# fd 2 readable) and the control stream ends; the segment's process group gets SIGTERM, then SIGKILL.
# No modules beyond Config: each costs milliseconds.
$SIG{PIPE} = 'IGNORE';
$SIG{TERM} = 'IGNORE';
my $n = $ENV{__PW_N};
require Config;
my ($arch) = $Config::Config{archname} =~ /^([a-z0-9_]+)/;
# Syscall numbers: prctl, close, clock_gettime, dup3, wait4, ppoll, splice, tee (x86_64, aarch64).
my %nr = (x86_64 => [157, 3, 228, 292, 61, 271, 275, 276], aarch64 => [167, 57, 113, 24, 260, 73, 76, 77]);
my $sys = $nr{$arch} or do { print STDERR "pipewright: this host's architecture ($arch) is not supported\n"; exit 70 };
$ENV{__PW_PERL} = $^X;
# As engine/segment.ts gives them to wrapper.pl locally.
$ENV{__PW_SYSCALLS} = "$sys->[1] $sys->[2] $sys->[4] $sys->[5] $sys->[6] $sys->[7]";
my $script = delete $ENV{__PW_SEGMENT};
delete $ENV{__PW_REMOTE};
# AF_UNIX and SOCK_STREAM are 1 on Linux; sshd made the socket (mode 0600) before this ran. Once
# connected, its name goes: nothing else can connect to it.
my $ctl;
if (my $path = delete $ENV{__PW_CTL}) {
  undef $ctl unless socket($ctl, 1, 1, 0) && connect($ctl, pack('S a108', 1, $path));
  unlink $path;
} elsif (defined(my $fd = delete $ENV{__PW_CTL_FD})) {
  # A Slurm step (engine/slurm-step.pl): the control stream is a connection back to the engine, already open.
  undef $ctl unless open $ctl, '+<&=', $fd;
}

pipe(my $cr, my $cw) or die "pipewright: pipe: $!\n";
pipe(my $br, my $bw) or die "pipewright: pipe: $!\n";
my (@er, @ew);
for my $i (0 .. $n - 1) { pipe($er[$i], $ew[$i]) or die "pipewright: pipe: $!\n" }
my $mux = $$;
my $bash = fork;
die "pipewright: fork: $!\n" unless defined $bash;
if ($bash == 0) {
  # The segment: its own process group, a subreaper, SIGHUP when this watcher dies (segment.sh
  # then ends its stages), and the fds segment.sh expects: 3 control, 4 + i stage i's stderr,
  # __PW_IN the data (ssh's stdin), 2 its own stderr, 1 the last stage's stdout (ssh's stdout).
  $SIG{$_} = 'DEFAULT' for qw(PIPE TERM);
  setpgrp(0, 0);
  syscall($sys->[0], 36, 1, 0, 0, 0);
  syscall($sys->[0], 1, 1, 0, 0, 0);
  exit 129 if getppid() != $mux;
  my @to = ([$cw, 3], [$bw, 2], [\*STDIN, $ENV{__PW_IN}], map { [$ew[$_], 4 + $_] } 0 .. $n - 1);
  # Out of the way first (fcntl F_DUPFD above every target), so no source is overwritten.
  my @high = map { [fcntl($_->[0], 0, 200), $_->[1]] } @to;
  syscall($sys->[3], $_->[0] + 0, $_->[1] + 0, 0) for @high;
  syscall($sys->[1], $_->[0] + 0) for @high;
  open STDIN, '<', '/dev/null';
  exec { '/bin/bash' } 'bash', '--noprofile', '--norc', '-c', $script;
  exit 126;
}
close $_ for $cw, $bw, @ew;
close STDIN;
close STDOUT;

my $out = $ctl // \*STDERR;
sub say_line { syswrite $out, "\x01$_[0]\n" or hangup() }
sub hangup {
  kill 'TERM', -$bash;
  select undef, undef, undef, 0.2;
  kill 'KILL', -$bash;
  exit 75;
}
my %pid;
sub sample {
  for my $i (sort keys %pid) {
    my $p = $pid{$i};
    open my $io, '<', "/proc/$p/io" or next;
    local $/;
    my $t = <$io>;
    open my $st, '<', "/proc/$p/stat" or next;
    my $s = <$st>;
    open my $ss, '<', "/proc/$p/status" or next;
    my $m = <$ss>;
    my ($r) = $t =~ /^rchar:\s*(\d+)/m;
    my ($w) = $t =~ /^wchar:\s*(\d+)/m;
    $s =~ s/^.*\) //s;
    my @f = split / /, $s;
    my ($rss) = $m =~ /^VmRSS:\s*(\d+)/m;
    my ($hwm) = $m =~ /^VmHWM:\s*(\d+)/m;
    say_line(join ' ', "s$i", $r // 0, $w // 0, @f[11, 12, 13, 14], $rss // 0, $hwm // 0, $f[0]);
  }
}
my %fh = (c => $cr, b => $br, map { ("e$_" => $er[$_]) } 0 .. $n - 1);
my %buf = map { $_ => '' } keys %fh;
sub emit {
  my ($k, $text) = @_;
  if ($k eq 'c') {
    if ($text =~ /^pid (\d+) (\d+)/) { $pid{$1} = $2 }
    elsif ($text =~ /^done (\d+)/) { delete $pid{$1} }
    say_line("c $text");
  } elsif ($k eq 'b') { say_line("b $text") }
  else { say_line('e' . substr($k, 1) . " $text") }
}
sub now {
  my $ts = "\0" x 16;
  syscall($sys->[2], 1, $ts);
  my ($s, $ns) = unpack 'q q', $ts;
  return $s + $ns / 1e9;
}
# The engine's requests: `k SIGNAL PID…` signals those of this segment's stages that still run.
my $asked = '';
sub requests {
  my $got = sysread $ctl, my $chunk, 4096;
  hangup() unless $got;
  $asked .= $chunk;
  while ($asked =~ s/^([^\n]*)\n//) {
    my ($k, $sig, @pids) = split / /, $1;
    next unless $k eq 'k' && $sig =~ /^[A-Z]+$/;
    my %running = map { $_ => 1 } values %pid;
    kill $sig, grep { $running{$_} } @pids;
  }
}
my ($ended, $status) = (0, 0);
my $next = 0;
while (%fh) {
  my $rin = '';
  vec($rin, 2, 1) = 1;
  vec($rin, fileno($ctl), 1) = 1 if $ctl;
  vec($rin, fileno($fh{$_}), 1) = 1 for keys %fh;
  my $ready = select(my $rout = $rin, undef, undef, 0.25);
  hangup() if $ready > 0 && vec($rout, 2, 1);
  requests() if $ready > 0 && $ctl && vec($rout, fileno($ctl), 1);
  for my $k (keys %fh) {
    next unless $ready > 0 && vec($rout, fileno($fh{$k}), 1);
    my $got = sysread $fh{$k}, my $chunk, 65536;
    if (!$got) {
      emit($k, $buf{$k}) if length $buf{$k};
      close delete $fh{$k};
      say_line('z' . substr($k, 1)) if $k =~ /^e/;
      next;
    }
    $buf{$k} .= $chunk;
    while ($buf{$k} =~ s/^([^\n]*)\n//) { emit($k, $1) }
    if (length $buf{$k} > 65536) { emit($k, $buf{$k}); $buf{$k} = '' }
  }
  if (!$ended && waitpid($bash, 1) == $bash) {
    ($ended, $status) = (1, $? >> 8);
    # What a stage left behind in the group holds our pipes: end it, as the engine does locally.
    kill 'KILL', -$bash;
  }
  if (now() >= $next) { sample(); $next = now() + 0.25 }
}
waitpid($bash, 0) unless $ended;
say_line("x $status");
exit $status;
