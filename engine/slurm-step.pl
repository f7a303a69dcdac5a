# What runs inside a Slurm job step (docs/remote.md#slurm): `srun … perl -e THIS VERSION TARGET SHA256 …`
# (the builds this package carries and their checksums). srun's own stdin carries one line,
# `ADDRESS PORT TOKEN` (the engine's helper, engine/slurm.pl, listens there; the token never appears
# on a command line), and nothing else: srun's stdio is for control only. The step connects back,
# each connection starting with `TOKEN KIND JOB STEP NODE`:
#   p  only when the node's cache folder has no valid pw-segment of this version: the program's bytes
#      (`TOKEN p TARGET`), installed there as over ssh (engine/host-install.ts: checksum, rename)
#   i  the segment's input: the framed plan (as over ssh), then the data
#   o  the segment's output
#   c  the control stream of pw-segment's watcher (reports, stderr, samples one way; signal requests the other)
# Then it runs `pw-segment --host fd:N` exactly as sshd does. The stages read and write real pipes,
# not the sockets: a relay process on each side copies between pipe and socket, so a stage whose
# reader has gone gets SIGPIPE as in a shell (a socket would give it ECONNRESET).
use Socket qw(PF_INET SOCK_STREAM IPPROTO_TCP TCP_NODELAY inet_aton sockaddr_in);
use Fcntl qw(F_SETFD);
$SIG{PIPE} = 'IGNORE';
my ($version, %sum) = @ARGV;
my $line = <STDIN>;
defined $line or die "pipewright: the step got no address from srun's stdin\n";
chomp $line;
my ($host, $port, $token) = split / /, $line;
my $ip = inet_aton($host) or die "pipewright: the step cannot resolve $host (the `address` of the cluster's host entry)\n";
my @who = map { $_ // '-' } @ENV{qw(SLURM_JOB_ID SLURM_STEP_ID SLURMD_NODENAME)};
sub back {
  my ($kind, @what) = @_;
  socket(my $s, PF_INET, SOCK_STREAM, 0) or die "pipewright: socket: $!\n";
  connect($s, sockaddr_in($port, $ip)) or die "pipewright: the step on $who[2] cannot connect back to $host:$port: $!\n";
  setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1) if $kind eq 'c';
  syswrite $s, "$token $kind @what\n";
  return $s;
}

# pw-segment of this version for this node's machine, from the cache folder or fetched and installed there.
my $machine = `uname -m`;
chomp $machine;
my $target = { x86_64 => 'linux-x64', amd64 => 'linux-x64', aarch64 => 'linux-arm64', arm64 => 'linux-arm64' }->{$machine} // '';
$sum{$target} or die "pipewright: the step's node $who[2] is a $machine machine (uname -m): Pipewright has no pw-segment for it here\n";
my $dir = ($ENV{XDG_CACHE_HOME} || "$ENV{HOME}/.cache") . "/pipewright/$version/$target";
my $program = "$dir/pw-segment";
sub matches {
  open my $h, '-|', 'sha256sum', $_[0] or return 0;
  my ($got) = split / /, <$h> // '';
  return close($h) && $got eq $sum{$target};
}
if (!-f $program || !matches($program)) {
  my $bytes = back('p', $target);
  my $tmp = "$dir/.pw-segment.$$";
  system('mkdir', '-p', $dir) == 0 && open(my $f, '>', $tmp) or die "pipewright: cannot write $tmp on $who[2]: $!\n";
  while (sysread $bytes, my $chunk, 1 << 16) { print $f $chunk }
  close $f;
  (matches($tmp) && chmod(0755, $tmp) && rename($tmp, $program)) or do { unlink $tmp; die "pipewright: could not install pw-segment into $dir on $who[2]\n" };
}

my $in = back('i', @who);
my $out = back('o', @who);
my $ctl = back('c', @who);
pipe(my $ir, my $iw) or die "pipewright: pipe: $!\n";
pipe(my $or, my $ow) or die "pipewright: pipe: $!\n";
# When pw-segment exits, the step ends and Slurm kills what is left of it: the output relay must have
# passed on every byte first. The input relay may be waiting for input no stage will read: it goes.
# relay() is engine/splice-relay.pl's.
my $input = relay($in, $iw, $ir, $or, $ow, $out, $ctl);
my $output = relay($or, $out, $in, $iw, $ir, $ow, $ctl);
close $_ for $in, $out, $iw, $or;
my $segment = fork;
die "pipewright: fork: $!\n" unless defined $segment;
if ($segment == 0) {
  open STDIN, '<&', $ir or die "pipewright: dup: $!\n";
  open STDOUT, '>&', $ow or die "pipewright: dup: $!\n";
  fcntl($ctl, F_SETFD, 0);
  $SIG{PIPE} = 'DEFAULT';
  exec { $program } 'pw-segment', '--host', 'fd:' . fileno($ctl);
  die "pipewright: cannot run $program on $who[2]: $!\n";
}
close $_ for $ir, $ow, $ctl;
waitpid $segment, 0;
my $status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
kill 'KILL', $input;
waitpid $output, 0;
exit $status;
