# perl workload: a hash of a few 100k keys (with array values), a sort of its keys, a second
# hash keyed by values, deletes; prints checksums that do not depend on the allocator.
use strict;
use warnings;

my $n = $ARGV[0] // 200000;
my %h;
for my $i (0 .. $n - 1) {
    $h{"key$i"} = [ $i, "value" . ($i * 7919 % 100003), $i % 17 ];
}
my %rev;
while (my ($k, $v) = each %h) {
    push @{ $rev{ $v->[1] } }, $k;
}
my @keys = sort keys %h;
my $sum = 0;
$sum += $h{$_}[0] for @keys;
for my $i (0 .. $n - 1) {
    delete $h{"key$i"} if $i % 3 == 0;
}
my $joined = join(",", @keys[0 .. 9]);
print "keys $n rev ", scalar(keys %rev), " left ", scalar(keys %h), " sum $sum\n";
print "$joined\n";
