# What runs inside a Slurm job step (docs/remote.md#slurm): `srun … perl -e THIS`. srun's own stdin
# carries one line, `ADDRESS PORT TOKEN` (the engine's helper, engine/slurm.pl, listens there; the
# token never appears on a command line), and nothing else: srun's stdio is for control only. The
# step connects back three times, each connection starting with `TOKEN KIND JOB STEP NODE`:
#   i  the segment's input: first the variables (as ssh's BOOT reads them, engine/ssh.ts), then the data
#   o  the segment's output
#   c  the control stream of engine/remote.pl (reports, stderr, samples one way; signal requests the other)
# Then it runs engine/remote.pl (among the variables) exactly as over ssh. The stages read and write
# real pipes, not the sockets: a relay process on each side copies between pipe and socket, so a
# stage whose reader has gone gets SIGPIPE as in a shell (a socket would give it ECONNRESET).
use Socket qw(PF_INET SOCK_STREAM IPPROTO_TCP TCP_NODELAY inet_aton sockaddr_in);
$SIG{PIPE} = 'IGNORE';
my $line = <STDIN>;
defined $line or die "pipewright: the step got no address from srun's stdin\n";
chomp $line;
my ($host, $port, $token) = split / /, $line;
my $ip = inet_aton($host) or die "pipewright: the step cannot resolve $host (the `address` of the cluster's host entry)\n";
my @who = map { $_ // '-' } @ENV{qw(SLURM_JOB_ID SLURM_STEP_ID SLURMD_NODENAME)};
sub back {
  my $kind = shift;
  socket(my $s, PF_INET, SOCK_STREAM, 0) or die "pipewright: socket: $!\n";
  connect($s, sockaddr_in($port, $ip)) or die "pipewright: the step on $who[2] cannot connect back to $host:$port: $!\n";
  setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1) if $kind eq 'c';
  syswrite $s, "$token $kind @who\n";
  return $s;
}
my $in = back('i');
my $out = back('o');
my $ctl = back('c');
my $l = '';
while (sysread $in, my $c, 1) { last if $c eq "\n"; $l .= $c }
my $p = '';
while (length $p < $l) { sysread($in, $p, $l - length $p, length $p) or exit 97 }
for (split /\0/, $p) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }

pipe(my $ir, my $iw) or die "pipewright: pipe: $!\n";
pipe(my $or, my $ow) or die "pipewright: pipe: $!\n";
# When remote.pl exits, the step ends and Slurm kills what is left of it: the output relay must have
# passed on every byte first. The input relay may be waiting for input no stage will read: it goes.
my ($input, $output);
END {
  local $?;
  return if $relaying;
  kill 'KILL', $input if $input;
  waitpid $output, 0 if $output;
}
# relay() is engine/splice-relay.pl's.
$input = relay($in, $iw, $ir, $or, $ow, $out, $ctl);
$output = relay($or, $out, $in, $iw, $ir, $ow, $ctl);
close $_ for $in, $out, $iw, $or;
open STDIN, '<&', $ir or die "pipewright: dup: $!\n";
open STDOUT, '>&', $ow or die "pipewright: dup: $!\n";
close $_ for $ir, $ow;
$ENV{__PW_CTL_FD} = fileno $ctl;
eval $ENV{__PW_REMOTE};
die $@ if $@;
