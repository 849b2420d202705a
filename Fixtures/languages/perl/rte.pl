#!/usr/bin/perl
use strict;
die "boom\n";
