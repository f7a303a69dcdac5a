# Shared by engine/slurm.pl and engine/slurm-step.pl (engine/slurm.ts puts it in front of each):
# relay(FROM, TO, OTHERS…) forks a process that copies FROM into TO until FROM ends (TO is then shut
# down for writing: its reader sees the end) or TO fails (then FROM closes with it: its writer sees
# that), keeping only its two ends (OTHERS are closed in it). The bytes move with splice(2) through a
# pipe of its own, so they are not copied through the relay (any fd: pipe, Unix or TCP socket); where
# the kernel refuses splice on an fd, with read and write. Returns the relay's pid.
$relaying = 0;
sub relay {
  my ($from, $to, @others) = @_;
  my $pid = fork;
  die "pipewright: fork: $!\n" unless defined $pid;
  return $pid if $pid;
  $relaying = 1;
  $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP);
  close $_ for @others;
  require Config;
  my ($arch) = $Config::Config{archname} =~ /^([a-z0-9_]+)/;
  my $splice = { x86_64 => 275, aarch64 => 76 }->{$arch};
  my ($in, $out) = (fileno $from, fileno $to);
  if ($splice && pipe(my $pr, my $pw)) {
    # F_SETPIPE_SZ: 1 MiB moved per call instead of 64 KiB.
    fcntl($pw, 1031, 1 << 20);
    my ($r, $w) = (fileno $pr, fileno $pw);
    # SPLICE_F_MOVE | SPLICE_F_MORE
    while (1) {
      my $n = syscall($splice, $in, 0, $w, 0, 1 << 20, 5);
      last if $n < 0 && $!{EINVAL};
      if ($n <= 0) { shutdown $to, 1; exit 0 }
      while ($n > 0) { my $m = syscall($splice, $r, 0, $out, 0, $n, 5); exit 0 if $m <= 0; $n -= $m }
    }
  }
  my $buf;
  while (my $n = sysread $from, $buf, 262144) {
    for (my $o = 0; $o < $n;) { my $w = syswrite $to, $buf, $n - $o, $o; exit 0 unless $w; $o += $w }
  }
  shutdown $to, 1;
  exit 0;
}
