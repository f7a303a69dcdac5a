# The engine's side of a segment on a Slurm cluster (docs/remote.md#slurm): to engine/remote.ts it is
# what `ssh` is to a segment on an ssh host, a local process whose stdin and stdout are the segment's
# data and whose stderr carries its own messages (and srun's), while the control stream goes to the
# engine's Unix socket (__PW_CTL_LOCAL). It listens on __PW_SLURM_ADDR (a port of its own), starts
# srun with the arguments it was given (the step runs engine/slurm-step.pl), and hands srun's stdin
# one line: that address, the port and a random token. The step connects back three times (input,
# output, control; each must present the token), and before them once more for pw-segment's bytes
# when its node has none of this version (`p TARGET`: __PW_SLURM_PROGRAMS says where each build is). Until the control connection comes, the segment is
# waiting for Slurm; its lines on stderr tell the engine:
#   \x01q JOB          srun said the job is queued
#   \x01r JOB.STEP NODE the step runs (it connected back)
# Then the data flows pipe ⇄ socket through two relay processes, and the control stream is copied
# both ways here. srun's stdout and stderr come through here to this stderr, line by line.
# SIGTERM, SIGINT, SIGHUP (cancel, the engine ending it, the engine's death): scancel the job by its
# name (in a process group of its own, so that the SIGKILL that follows on the group spares it),
# SIGTERM srun and the relays, and exit.
use Socket qw(PF_INET PF_UNIX SOCK_STREAM SOL_SOCKET SO_REUSEADDR inet_aton sockaddr_in pack_sockaddr_un);
$SIG{PIPE} = 'IGNORE';
my ($addr, $name, $local, $programs) = delete @ENV{qw(__PW_SLURM_ADDR __PW_SLURM_NAME __PW_CTL_LOCAL __PW_SLURM_PROGRAMS)};
# The builds of pw-segment this package carries, by target: a step whose node has none of this version asks for its own.
my %program = map { split /=/, $_, 2 } split / /, $programs // '';
my $ip = inet_aton($addr) or do { print STDERR "pipewright: cannot resolve $addr (the `address` of the cluster's host entry)\n"; exit 70 };
open my $random, '<', '/dev/urandom' or die "pipewright: /dev/urandom: $!\n";
read $random, my $bytes, 16;
my $token = unpack 'H*', $bytes;
socket(my $server, PF_INET, SOCK_STREAM, 0) or die "pipewright: socket: $!\n";
setsockopt($server, SOL_SOCKET, SO_REUSEADDR, 1);
bind($server, sockaddr_in(0, $ip)) && listen($server, 16) or do { print STDERR "pipewright: cannot listen on $addr: $!\n"; exit 70 };
my ($port) = sockaddr_in(getsockname $server);

my @relays;
my $srun;
my $ended = 0;
sub scancel_and_exit {
  my $pid = fork;
  if (defined $pid && $pid == 0) {
    setpgrp(0, 0);
    open STDOUT, '>', '/dev/null';
    open STDERR, '>', '/dev/null';
    exec 'scancel', '--quiet', "--name=$name";
    exit 0;
  }
  kill 'TERM', grep { $_ } $srun, @relays;
  exit 143;
}
$SIG{$_} = \&scancel_and_exit for qw(TERM INT HUP);

pipe(my $tr, my $tw) or die "pipewright: pipe: $!\n";
pipe(my $sr, my $sw) or die "pipewright: pipe: $!\n";
$srun = fork;
die "pipewright: fork: $!\n" unless defined $srun;
if ($srun == 0) {
  $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP PIPE);
  open STDIN, '<&', $tr;
  open STDOUT, '>&', $sw;
  open STDERR, '>&', $sw;
  close $_ for $tr, $tw, $sr, $sw, $server;
  exec { $ARGV[0] } @ARGV or print STDERR "pipewright: cannot start $ARGV[0]: $!\n";
  exit 127;
}
close $_ for $tr, $sw;
syswrite $tw, "$addr $port $token\n";
close $tw;

sub say_line { syswrite STDERR, "$_[0]\n" }
my $said = '';
# srun's lines, passed on; a queued job is also told to the engine.
sub srun_lines {
  my $got = sysread $sr, my $chunk, 65536;
  return 0 unless $got;
  $said .= $chunk;
  while ($said =~ s/^([^\n]*)\n//) {
    my $l = $1;
    say_line("\x01q $1") if $l =~ /job (\d+) queued and waiting for resources/;
    say_line($l);
  }
  return 1;
}
sub finish {
  say_line($said) if length $said;
  waitpid $srun, 0;
  my $status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
  exit $status;
}

# `p TARGET`: the bytes of that build, then the end (the step checks them against the checksum it was given).
sub send_program {
  my ($c, $target) = @_;
  if (defined $program{$target} && open my $f, '<', $program{$target}) {
    while (sysread $f, my $chunk, 1 << 16) { syswrite($c, $chunk) or last }
  }
  close $c;
}

# Until the step has connected back three times (or srun has ended without it).
my (%conn, %hello);
while (keys %conn < 3) {
  my $rin = '';
  vec($rin, fileno $server, 1) = 1;
  vec($rin, fileno $sr, 1) = 1;
  vec($rin, fileno $_->[0], 1) = 1 for values %hello;
  select(my $rout = $rin, undef, undef, undef) > 0 or next;
  if (vec($rout, fileno $sr, 1)) { srun_lines() or finish() }
  if (vec($rout, fileno $server, 1) && accept(my $c, $server)) { $hello{fileno $c} = [$c, ''] }
  for my $k (keys %hello) {
    my $h = $hello{$k};
    next unless vec($rout, $k, 1);
    my $got = sysread $h->[0], $h->[1], 256, length $h->[1];
    my ($line) = $h->[1] =~ /^([^\n]*)\n/;
    if (!$got || (!defined $line && length $h->[1] >= 256)) { delete $hello{$k}; next }
    next unless defined $line;
    delete $hello{$k};
    my ($t, $kind, $job, $step, $node) = split / /, $line;
    # Anyone may connect to the port; only the step knows the token.
    next unless defined $kind && $t eq $token && $kind =~ /^[iocp]$/ && !$conn{$kind};
    if ($kind eq 'p') { send_program($h->[0], $job); next }
    $conn{$kind} = $h->[0];
    say_line("\x01r $job.$step $node") if $kind eq 'c';
  }
}
close $server;
close $_->[0] for values %hello;

# relay() is engine/splice-relay.pl's.
push @relays, relay(\*STDIN, $conn{i}, $conn{o}, $conn{c}, $sr);
push @relays, relay($conn{o}, \*STDOUT, $conn{i}, $conn{c}, $sr);
close $_ for $conn{i}, $conn{o};
close STDIN;
close STDOUT;

# The control stream, both ways: the step's lines to the engine's socket (or, where there is none,
# to stderr, as pw-segment does over ssh without forwarding), the engine's requests to the step.
my $step = $conn{c};
my $engine;
if (defined $local) {
  undef $engine unless socket($engine, PF_UNIX, SOCK_STREAM, 0) && connect($engine, pack_sockaddr_un($local));
}
my %open = (step => 1, engine => defined $engine, srun => 1);
while ($open{srun} || $open{step}) {
  my $rin = '';
  vec($rin, fileno $sr, 1) = 1 if $open{srun};
  vec($rin, fileno $step, 1) = 1 if $open{step};
  vec($rin, fileno $engine, 1) = 1 if $open{engine};
  select(my $rout = $rin, undef, undef, undef) > 0 or next;
  if ($open{srun} && vec($rout, fileno $sr, 1)) { $open{srun} = srun_lines() }
  if ($open{step} && vec($rout, fileno $step, 1)) {
    my $got = sysread $step, my $chunk, 65536;
    if ($got) { syswrite($engine // \*STDERR, $chunk) }
    else { $open{step} = 0; shutdown $engine, 1 if $engine }
  }
  if ($open{engine} && vec($rout, fileno $engine, 1)) {
    my $got = sysread $engine, my $chunk, 4096;
    # The engine closed its end (it ended the segment): pw-segment's watcher in the step ends its stages.
    if ($got) { syswrite $step, $chunk } else { $open{engine} = 0; shutdown $step, 1 }
  }
}
finish();
