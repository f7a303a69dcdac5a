# Fan-in (docs/engine.md, "Graphs"): merges whole lines from the FIFOs named in the arguments onto
# stdout, in arrival order, never splicing a line from two inputs whatever its size (a partial
# line waits in its input's buffer until its newline comes). A last line without a newline gets
# one, so the next input's line cannot join it. Ends when every input has ended; when its reader
# is gone it dies of SIGPIPE like any stage, which closes its inputs for the writers upstream.
# No modules: 4-argument select and sysread.
my @in;
for my $path (@ARGV) {
  open my $fh, '<', $path or die "pipewright merge: cannot open $path: $!\n";
  push @in, { fh => $fh, fd => fileno($fh), buf => '' };
}
sub out {
  my ($s) = @_;
  while (length $s) {
    my $w = syswrite STDOUT, $s;
    die "pipewright merge: write: $!\n" unless defined $w;
    substr($s, 0, $w) = '';
  }
}
while (my @live = grep { $_->{fh} } @in) {
  my $rin = '';
  vec($rin, $_->{fd}, 1) = 1 for @live;
  my $n = select(my $rout = $rin, undef, undef, undef);
  next if $n <= 0;
  for my $i (grep { vec($rout, $_->{fd}, 1) } @live) {
    my $got = sysread $i->{fh}, my $chunk, 1 << 16;
    if (!$got) {
      close $i->{fh};
      $i->{fh} = undef;
      out("$i->{buf}\n") if $i->{buf} ne '';
      next;
    }
    my $nl = rindex $chunk, "\n";
    if ($nl < 0) {
      $i->{buf} .= $chunk;
      next;
    }
    out($i->{buf} . substr($chunk, 0, $nl + 1));
    $i->{buf} = substr $chunk, $nl + 1;
  }
}
