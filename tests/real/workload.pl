# workload.pl: deterministic, allocation-heavy Perl for tests/real/perl.sh.
use strict;
use warnings;

my $seed = 42;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed >> 8; }

# A hash of 300k keys, then a second one derived from it.
my %h;
for my $i (1 .. 200_000) {
    $h{ sprintf("key%07d-%x", $i, rnd() % 4096) } = $i * 3;
}
my %inv;
while (my ($k, $v) = each %h) {
    $inv{$v % 1000} .= substr($k, 3, 7) if $v % 7 == 0;
}
print scalar(keys %h), " ", scalar(keys %inv), " ", length(join("", values %inv)), "\n";

# Sorting: by key, by value descending, by a computed key.
my @keys = sort keys %h;
my @byval = sort { $h{$b} <=> $h{$a} } @keys[0 .. 49_999];
my @bylen = sort { length($inv{$a}) <=> length($inv{$b}) or $a <=> $b } keys %inv;
print "$keys[0] $keys[-1] $byval[0] $byval[-1] $bylen[0] $bylen[-1]\n";

# Regexes: captures, global matches, substitutions on a large string.
my $text = join(",", map { "$_=$h{$_}" } @keys[0 .. 99_999]);
my $count = () = $text =~ /key(\d+)-([0-9a-f]{3})=(\d+)/g;
my %hexes;
$hexes{$2}++ while $text =~ /key\d+-([0-9a-f])([0-9a-f])[0-9a-f]=/g;
(my $t2 = $text) =~ s/key0*(\d+)-[0-9a-f]+=(\d+)/$1:$2/g;
my @parts = split /,/, $t2;
print length($text), " $count ", scalar(keys %hexes), " ", length($t2), " $parts[12345]\n";

# Strings and arrays growing and shrinking (realloc paths).
my $s = "";
for my $i (1 .. 20_000) { $s .= "x" x ($i % 97); substr($s, 0, 50) = "" if $i % 3 == 0; }
my @a;
push @a, [ map { $_ * $_ } 1 .. ($_ % 50) ] for 1 .. 50_000;
splice(@a, 1000, 30_000);
my $sum = 0;
$sum += scalar(@$_) for @a;
print length($s), " ", scalar(@a), " $sum\n";

# Deleting most of the big hash, then references and closures.
delete $h{$_} for grep { /[02468]-/ } @keys;
my @subs = map { my $n = $_; sub { return $n * $_[0] } } 1 .. 1000;
my $acc = 0;
$acc += $_->(3) for @subs;
print scalar(keys %h), " $acc\n";

# eval/die and warnings on stderr.
my $caught = 0;
for my $i (1 .. 2000) {
    eval { die { code => $i } if $i % 5 == 0; 1 } or $caught++;
}
warn "caught $caught exceptions\n";
my $undef;
{ no warnings; my $x = "a" . (defined $undef ? $undef : ""); }
print "done\n";
warn "exiting with 4\n";
exit 4;
