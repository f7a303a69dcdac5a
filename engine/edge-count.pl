# The record counter of an edge, in perl: what engine/native/count.c does in dist/pw-segment, for
# the scripts that run segments on other hosts (engine/segment.sh; no build of ours is installed
# there yet). Argument `ID`; reports `edge ID RECORDS BYTES [end]` on fd 3, same early stop (poll
# on every end, input closed at once when no reader is left, pipes enlarged only for a bulk
# stream). As the C one: tee(2) into a private pipe that is read and counted with tr, splice(2)
# on, so the bytes are not copied through it; an input that is not a pipe: read, count, write.
# No modules: raw syscalls.
my (undef, $sys_clock, undef, $sys_ppoll, $sys_splice, $sys_tee) = split / /, $ENV{__PW_SYSCALLS};
$SIG{PIPE} = 'IGNORE';
open my $ctl, '>&=', 3 or exit 70;
sub now {
  my $ts = "\0" x 16;
  syscall($sys_clock, 1, $ts);
  my ($s, $ns) = unpack 'q q', $ts;
  return $s * 1000 + int($ns / 1e6);
}
my $last = now();
sub report {
  my ($e, $end) = @_;
  my $n = $e->{records} + ($end && !$e->{newline} ? 1 : 0);
  syswrite $ctl, "edge $e->{id} $n $e->{bytes}" . ($end ? " end\n" : "\n");
  $e->{reported} = $e->{bytes};
}
my @edges = ({ id => $ARGV[0] // 0, fh => \*STDOUT });
$_ = { %$_, records => 0, bytes => 0, reported => 0, newline => 1, gone => !$_->{fh} } for @edges;
report($_, 1) for grep { $_->{gone} } @edges;
my @live = grep { !$_->{gone} } @edges;
sub due { grep { $_->{reported} != $_->{bytes} } @live }
sub report_due {
  return if now() - $last < 100;
  report($_, 0) for due();
  $last = now();
}
# counted($edge, $data): $_[1], not a copy of it (a copy of every block would cost what a pipe hop does).
sub counted {
  my $e = $_[0];
  return if $_[1] eq '';
  $e->{records} += ($_[1] =~ tr/\n//);
  $e->{bytes} += length $_[1];
  $e->{newline} = substr($_[1], -1) eq "\n";
}
# The reader of $e is gone: once no reader is left, hang up on the writer first.
sub drop {
  my ($e) = @_;
  $e->{gone} = 1;
  @live = grep { !$_->{gone} } @live;
  close STDIN unless @live;
  report($e, 1);
  close $e->{fh} unless $e->{fh} == \*STDOUT;
}
# Until the input has data or has ended (1) or no reader is left (0: POLLERR/POLLHUP on a
# reader's end, reported without being asked for). Counted data waits at most 100 ms for its report.
sub input_ready {
  while (1) {
    my @watched = @live;
    my $fds = pack('i s s', 0, 1, 0) . join '', map { pack 'i s s', fileno($_->{fh}), 0, 0 } @watched;
    my $left = $last + 100 - now();
    my $ts = due() ? pack('q q', 0, ($left > 0 ? $left : 0) * 1e6) : 0;
    my $r = syscall($sys_ppoll, $fds, 1 + @watched, $ts, 0, 8);
    if ($r < 0) { next if $! == 4; return 1 }    # EINTR
    if ($r == 0) { report_due(); next }
    my @revents = (unpack '(i s s)*', $fds)[ map { 3 * $_ + 2 } 0 .. @watched ];
    for my $k (0 .. $#watched) { drop($watched[$k]) if $revents[$k + 1] & 24 }
    return 0 unless @live;
    return 1 if $revents[0];
  }
}
my $buf = "\0" x (1 << 18);
my ($in, $ended) = (0, 0);
# One reader: duplicate the input's pages (tee, non-blocking: an empty input is waited for in
# ppoll), move them on (splice), count the copy. A tee that fails otherwise (an input that is not
# a pipe) leaves the work to the read-and-write loop below.
if (@live == 1 && $live[0]{fh} == \*STDOUT && pipe(my $dr, my $dw)) {
  my $e = $live[0];
  fcntl($dw, 1031, 1 << 18);
  while (1) {
    my $n = syscall($sys_tee, 0, fileno($dw), 1 << 18, 2);
    if ($n < 0) {
      next if $! == 4;                              # EINTR
      if ($! == 11) { input_ready() ? next : last }   # EAGAIN
      last;
    }
    if ($n == 0) { $ended = 1; last }
    my $moved = 0;
    while ($moved < $n) {
      my $m = syscall($sys_splice, 0, 0, 1, 0, $n - $moved, 0);
      next if $m < 0 && $! == 4;
      last if $m <= 0;
      $moved += $m;
    }
    # The reader left: hang up on the writer before counting, so the stop travels on at once.
    close STDIN if $moved < $n;
    for (my $done = 0; $done < $moved;) {
      my $r = sysread $dr, $buf, $moved - $done;
      next if !defined $r && $! == 4;
      last unless $r;
      counted($e, $buf);
      $done += $r;
    }
    if ($moved < $n) { drop($e); last }
    if ($in < 4 << 20 && ($in += $n) >= 4 << 20) { fcntl($_, 1031, 1 << 18) for \*STDIN, \*STDOUT }
    report_due();
  }
}
# Non-blocking input from here (F_GETFL, F_SETFL, O_NONBLOCK): an empty input is waited for in
# ppoll, which also sees the readers leave. (Not above: splice would then give up on a full output.)
my $flags = fcntl(STDIN, 3, 0);
fcntl(STDIN, 4, $flags | 2048) if defined $flags && @live && !$ended;
while (@live && !$ended) {
  my $n = sysread STDIN, $buf, 1 << 18;
  if (!defined $n) {
    next if $! == 4;                             # EINTR
    if ($! == 11) { input_ready() ? next : last }    # EAGAIN
    last;
  }
  last if $n == 0;
  for my $e (my @to = @live) {
    my $o = 0;
    while ($o < $n) {
      my $w = syswrite $e->{fh}, $buf, $n - $o, $o;
      if (defined $w) { $o += $w; next }
      next if $! == 4;
      last;
    }
    counted($e, $o == $n ? $buf : substr $buf, 0, $o);
    drop($e) if $o < $n;
  }
  # F_SETPIPE_SZ to 256 KiB once the edge carries a bulk stream (as edge-count.c).
  if ($in < 4 << 20 && ($in += $n) >= 4 << 20) { fcntl($_, 1031, 1 << 18) for \*STDIN, map { $_->{fh} } @live }
  report_due();
}
close STDIN;
report($_, 1) for @live;
