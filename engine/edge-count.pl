# The record counter of one edge, in perl: what engine/edge-count.c does, for machines where it
# was not built (no C compiler). Same arguments and reports (`edge ID RECORDS BYTES [end]` on fd
# 3); it reads, counts with tr and writes, so every byte is copied twice through it (about 0.4 s
# of CPU per GB more than the C counter; docs/stats.md). No modules: raw syscalls.
my $id = $ARGV[0] // 0;
my (undef, $sys_clock) = split / /, $ENV{__PW_SYSCALLS};
$SIG{PIPE} = 'IGNORE';
# F_SETPIPE_SZ: 256 KiB pipes, fewer wake-ups (as edge-count.c).
fcntl(STDIN, 1031, 1 << 18);
fcntl(STDOUT, 1031, 1 << 18);
open my $ctl, '>&=', 3 or exit 70;
my ($records, $bytes, $reported, $newline) = (0, 0, 0, 1);
sub now {
  my $ts = "\0" x 16;
  syscall($sys_clock, 1, $ts);
  my ($s, $ns) = unpack 'q q', $ts;
  return $s * 1000 + int($ns / 1e6);
}
my $last = now();
sub report {
  my ($end) = @_;
  my $n = $records + ($end && !$newline ? 1 : 0);
  syswrite $ctl, "edge $id $n $bytes" . ($end ? " end\n" : "\n");
  $reported = $bytes;
  $last = now();
}
sub counted {
  return if $_[0] eq '';
  $records += ($_[0] =~ tr/\n//);
  $bytes += length $_[0];
  $newline = substr($_[0], -1) eq "\n";
}
my $buf = "\0" x (1 << 18);
my $rin = '';
vec($rin, 0, 1) = 1;
OUTER: while (1) {
  # Counted data waits at most 100 ms for its report, even if the edge goes quiet.
  if ($reported != $bytes) {
    my $left = $last + 100 - now();
    report(0) if $left <= 0 || select(my $r = $rin, undef, undef, $left / 1000) == 0;
  }
  my $n = sysread STDIN, $buf, 1 << 18;
  if (!defined $n) { next if $! == 4; last }    # EINTR
  last if $n == 0;
  my $o = 0;
  while ($o < $n) {
    my $w = syswrite STDOUT, $buf, $n - $o, $o;
    if (defined $w) { $o += $w; next }
    next if $! == 4;
    # The reader left: count what got through.
    counted(substr $buf, 0, $o);
    last OUTER;
  }
  counted($buf);
  report(0) if now() - $last >= 100;
}
report(1);
