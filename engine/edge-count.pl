# The record counter of one edge, in perl: what engine/edge-count.c does, for machines where it
# was not built (no C compiler). Same arguments and reports (`edge ID RECORDS BYTES [end]` on fd
# 3), same early stop (poll on both ends, input closed at once when the reader leaves, pipes
# enlarged only for a bulk stream); it reads, counts with tr and writes, so every byte is copied
# twice through it (about 0.4 s of CPU per GB more than the C counter; docs/stats.md). No
# modules: raw syscalls.
my $id = $ARGV[0] // 0;
my (undef, $sys_clock, undef, $sys_ppoll) = split / /, $ENV{__PW_SYSCALLS};
$SIG{PIPE} = 'IGNORE';
open my $ctl, '>&=', 3 or exit 70;
# Non-blocking input (F_GETFL, F_SETFL, O_NONBLOCK): an empty input is waited for in ppoll,
# which also sees the reader leave.
my $flags = fcntl(STDIN, 3, 0);
fcntl(STDIN, 4, $flags | 2048) if defined $flags;
my ($records, $bytes, $reported, $newline, $grown) = (0, 0, 0, 1, 0);
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
# Until the input has data or has ended (1) or the output's reader left (0: POLLERR/POLLHUP on
# fd 1, reported without being asked for). Counted data waits at most 100 ms for its report.
sub input_ready {
  while (1) {
    my $fds = pack 'i s s i s s', 0, 1, 0, 1, 0, 0;
    my $left = $last + 100 - now();
    my $ts = $reported == $bytes ? 0 : pack 'q q', 0, ($left > 0 ? $left : 0) * 1e6;
    my $r = syscall($sys_ppoll, $fds, 2, $ts, 0, 8);
    if ($r < 0) { next if $! == 4; return 1 }    # EINTR
    if ($r == 0) { report(0); next }
    return ((unpack 'i s s i s s', $fds)[5] & 24) == 0;
  }
}
my $buf = "\0" x (1 << 18);
OUTER: while (1) {
  my $n = sysread STDIN, $buf, 1 << 18;
  if (!defined $n) {
    next if $! == 4;                             # EINTR
    if ($! == 11) { input_ready() ? next : last }    # EAGAIN
    last;
  }
  last if $n == 0;
  my $o = 0;
  while ($o < $n) {
    my $w = syswrite STDOUT, $buf, $n - $o, $o;
    if (defined $w) { $o += $w; next }
    next if $! == 4;
    # The reader left: hang up on the writer first, then count what got through.
    close STDIN;
    counted(substr $buf, 0, $o);
    last OUTER;
  }
  counted($buf);
  # F_SETPIPE_SZ to 256 KiB once the edge carries a bulk stream (as edge-count.c).
  if (!$grown && $bytes >= 4 << 20) {
    fcntl(STDIN, 1031, 1 << 18);
    fcntl(STDOUT, 1031, 1 << 18);
    $grown = 1;
  }
  report(0) if now() - $last >= 100;
}
close STDIN;
report(1);
