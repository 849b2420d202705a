#!/usr/bin/perl
use strict;
my $name = <STDIN>;
chomp $name
print "Hello $name!\n";
